"""The store: SQLModel tables, the engine (SQLite pragmas), migrations and shared queries."""
