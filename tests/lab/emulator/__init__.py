"""Emulated vendor VPN devices over real SSH, for the demo and the tests (see README.md)."""
