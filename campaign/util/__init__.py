"""Small helpers every package uses: text made safe for output, atomic files, shipped resources."""
