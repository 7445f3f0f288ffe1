"""The development mailbox: every email the portal sent, with links a newcomer can click."""
