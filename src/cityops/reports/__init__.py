"""Documents the platform writes for people: spreadsheets, Word bulletins. Writers take read
models (plain values) and a file or stream; they never touch the database."""
