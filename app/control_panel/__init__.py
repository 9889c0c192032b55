"""Reseller and customer control panels (to come: see DESIGN.md, "Five ways to buy")."""
