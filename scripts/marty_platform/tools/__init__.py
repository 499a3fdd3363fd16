"""The pinned external tools: their manifest, how to run them, how to install them."""
