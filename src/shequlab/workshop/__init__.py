"""Live workshop participation: a store shared by all app kernels, and the vote and rating apps."""
