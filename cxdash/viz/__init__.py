"""Chart builders: pure functions, data in, Altair chart (a spec tests can inspect) out."""
