"""How things look: rich renderables built from the data the other layers return. Nothing else prints."""
