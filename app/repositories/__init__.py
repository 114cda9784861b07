"""Every query lives here, named for the question it answers."""
