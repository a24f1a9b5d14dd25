"""The analysis core: pure functions over a projection of the store (no HTTP, no terminal).

``projection`` builds the actor network; ``linkage`` answers "who is linked to an impact";
``leverage`` answers "who holds leverage over the entity causing it".
"""
