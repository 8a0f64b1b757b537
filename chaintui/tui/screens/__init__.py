"""Screens: the main window and one typed modal per choice the user makes."""
