"""Import pipeline: read (sniff encoding, sheets, header rows) → map (roles) → validate → load (one transaction)."""
