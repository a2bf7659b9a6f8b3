"""Survey definitions: data files, their typed model, validation and form building."""
