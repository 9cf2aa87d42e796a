# shellcheck shell=bash disable=SC2034 # OUT, OPTION: read by the script that sources this file
# Sourced first by every script with its arguments: `source "$(dirname "$0")/lib/help.sh" "$@"`.
# Parses the options every script shares and the script's own, before anything is built or run:
#   --help, -h        prints the script's header comment (its usage and what it measures), exits 0;
#   --out DIR         sets OUT (common.sh makes a temporary directory when it is empty);
#   a numeric option  the script declares beforehand, e.g. `NUMBER_OPTIONS=(--scale --tolerance)`:
#                     its value lands in OPTION[--scale];
# `--name=value` works as `--name value`. Anything else is a usage error: exit 2, GNU style.
SCRIPT_NAME=$(basename "$0")
OUT=
declare -A OPTION=()

# usage_error MESSAGE: the message and where help is, on stderr; exit 2.
usage_error() {
  printf '%s: %s\n' "$SCRIPT_NAME" "$1" >&2
  printf "Try 'bash scripts/%s --help' for more information.\n" "$SCRIPT_NAME" >&2
  exit 2
}

for arg in "$@"; do
  [ "$arg" = -- ] && break
  if [ "$arg" = --help ] || [ "$arg" = -h ]; then
    echo "Usage: bash scripts/$SCRIPT_NAME [options in the text below]"
    echo
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    echo
    echo "Options every script takes:"
    echo "  --out DIR   write its files into DIR (created if needed; default: a new temporary"
    echo "              directory, named at the end of the output); nothing else is written"
    echo "  -h, --help  this text"
    exit 0
  fi
done

while [ $# -gt 0 ]; do
  case "$1" in
    --*=*) option_name=${1%%=*} option_value=${1#*=}; shift ;;
    --?*)
      option_name=$1
      case " --out ${NUMBER_OPTIONS[*]:-} " in
        *" $option_name "*) ;;
        *) usage_error "unrecognized option '$option_name'" ;;
      esac
      [ $# -ge 2 ] || usage_error "option '$option_name' requires an argument"
      option_value=$2
      shift 2
      ;;
    *) usage_error "unexpected argument '$1' (this script takes options only)" ;;
  esac
  if [ "$option_name" = --out ]; then
    [ -n "$option_value" ] || usage_error "invalid value '' for --out: a directory is required"
    OUT=$option_value
  else
    case " ${NUMBER_OPTIONS[*]:-} " in
      *" $option_name "*) ;;
      *) usage_error "unrecognized option '$option_name'" ;;
    esac
    [[ "$option_value" =~ ^[0-9]+([.][0-9]+)?$ ]] \
      || usage_error "invalid value '$option_value' for $option_name: a number is required"
    OPTION[$option_name]=$option_value
  fi
done
unset arg option_name option_value
