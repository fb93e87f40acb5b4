"""Rehearsals and simulations: throwaway cohorts, courses and servers for `hub rehearse`,
benchmarks and tests. Not product code: nothing the trainer runs day to day imports it."""
