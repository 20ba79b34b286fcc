"""The demo data set, built from the 2014 joint declaration and the 2015 Calais agreement."""
