"""One router per resource: health, actors, impacts."""
