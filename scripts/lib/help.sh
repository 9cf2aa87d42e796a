# Sourced first by every script with its arguments: `--help` or `-h` prints the script's header
# comment (its usage and what it measures) and exits 0, before anything is built or run.
for arg in "$@"; do
  if [ "$arg" = --help ] || [ "$arg" = -h ]; then
    echo "Usage: bash scripts/$(basename "$0") [options in the text below]"
    echo
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 0
  fi
done
