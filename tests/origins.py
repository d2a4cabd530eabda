"""The origin test code passes to services when who made the change does not matter to the test."""

from changes.origin import Origin

TEST_ORIGIN = Origin.system("Tests")
