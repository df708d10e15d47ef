"""Pure parsing: bytes and text to article fields (layouts, dates, Hijri dates). No I/O."""
