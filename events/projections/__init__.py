"""Read models kept from the log; each can be dropped and rebuilt from position 0."""
