"""Files in and out: opening inputs of every kind, writing outputs safely."""
