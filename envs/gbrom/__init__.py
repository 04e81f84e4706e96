"""gbrom: a Game Boy ROM builder (SM83 instruction encoder, assembler, cartridge writer)."""
