# Example services built for the shipped scenarios.
