#!/bin/sh
# cimaster.sh: the shell client of cimaster, served by cimaster at GET /client.sh. It needs a POSIX sh and
# curl, nothing else (no jq, Node or Python):
#   curl -sf "$CIMASTER_URL/client.sh" -o cimaster.sh && sh cimaster.sh run -- ./e2e.sh
# `sh cimaster.sh help` lists the commands, options, environment variables and exit codes.

PROG=cimaster.sh
E_LOCAL=1 E_USAGE=2 E_NO_CLUSTER=3 E_UNREACHABLE=4 E_REFUSED=5

usage() {
  cat <<'EOF'
usage: sh cimaster.sh COMMAND [OPTIONS]

commands:
  acquire [--wait 30m] [--region R] [--labels k=v,...]
        Wait in cimaster's fair queue for a vacant cluster (printing the queue position on stderr)
        and print its name on stdout. --wait 0 does not queue.
  release CLUSTER                give a cluster back after testing (finishtest)
  heartbeat CLUSTER              extend the testing lease of a cluster this build holds
  hold CLUSTER [--hours N]       keep a cluster this build tests on for debugging (holdcluster)
  unhold CLUSTER                 give back a cluster this build holds (releasecluster)
  run [acquire options] [--hold-on-failure 2h] -- COMMAND [ARGS...]
        Acquire a cluster, run COMMAND with CLUSTER exported while heartbeating in the background,
        then release the cluster, or hold it when COMMAND failed and --hold-on-failure is given.
        INT, TERM and HUP are passed to COMMAND as TERM; the cluster is given back once it exits.
        Exits with COMMAND's exit code.
  help                           this text

Every command sends the build it acts for: --build B (default: $BUILD_ID); acquire and run also take
--job J (default: $JOB_NAME). Without a token, a cimaster with auth on lets a build act only on its own
cluster; give back another build's hold with --build set to that build.
Durations: 90s, 10m, 2h, 1h30m, or plain seconds.

environment:
  CIMASTER_URL          cimaster's base URL, e.g. http://cimaster.prow (required)
  CIMASTER_TOKEN        bearer token (optional); or CIMASTER_TOKEN_FILE, a file holding it
  BUILD_ID, JOB_NAME    this build and job; Prow sets both in every job's pod

exit codes:
  0 done; 1 local problem (no curl, no temporary directory); 2 bad usage or a call cimaster rejected as
  invalid; 3 no cluster within the wait; 4 cimaster unreachable (3 tries while the connection fails or is
  cut) or failing; 5 cimaster refused the call
  (unknown cluster, not the holder, wrong state, token); 129, 130, 143 interrupted by HUP, INT, TERM.
  run exits with COMMAND's exit code once COMMAND started.
EOF
}

note() { printf '%s: %s\n' "$PROG" "$*" >&2; }
fail() {
  fail_code=$1
  shift
  note "$*"
  exit "$fail_code"
}
usage_error() { fail "$E_USAGE" "$* (see: sh $PROG help)"; }

# ---- configuration ----

load_config() {
  base=${CIMASTER_URL:-}
  [ -n "$base" ] || usage_error "CIMASTER_URL is not set: export it as cimaster's base URL, e.g. http://cimaster.prow"
  case $base in
    http://?* | https://?*) ;;
    *) usage_error "CIMASTER_URL must start with http:// or https://, got '$base'" ;;
  esac
  while :; do
    case $base in
      */) base=${base%/} ;;
      *) break ;;
    esac
  done
  if [ -z "${CIMASTER_TOKEN:-}" ] && [ -n "${CIMASTER_TOKEN_FILE:-}" ] && [ ! -r "$CIMASTER_TOKEN_FILE" ]; then
    usage_error "CIMASTER_TOKEN_FILE=$CIMASTER_TOKEN_FILE cannot be read"
  fi
  command -v curl >/dev/null 2>&1 || fail "$E_LOCAL" "curl is needed and was not found on PATH"
}

# Prints the bearer token, if any. Read on every call, so a rotated token file is picked up.
read_token() {
  if [ -n "${CIMASTER_TOKEN:-}" ]; then
    printf '%s' "$CIMASTER_TOKEN"
  elif [ -n "${CIMASTER_TOKEN_FILE:-}" ]; then
    cat "$CIMASTER_TOKEN_FILE"
  fi
}

# The EXIT trap. bash may run it in a background helper killed before it reset the traps it inherited, so
# only the script's own process removes the directory ($$ is the script's pid in every subshell).
remove_tmp() {
  [ "$(exec sh -c 'echo "$PPID"')" = "$$" ] || return 0
  rm -rf "$tmp"
}

make_tmp() {
  tmp_n=0
  while :; do
    tmp=${TMPDIR:-/tmp}/cimaster-sh.$$.$tmp_n
    # mkdir fails when the name exists: nobody can plant a file or link for us to follow.
    if (umask 077 && mkdir "$tmp") 2>/dev/null; then return 0; fi
    tmp_n=$((tmp_n + 1))
    [ "$tmp_n" -lt 20 ] || fail "$E_LOCAL" "cannot create a temporary directory in ${TMPDIR:-/tmp}"
  done
}

# ---- calls to cimaster ----

# curl's options, which curl reads on its stdin: the token is never on a command line that ps shows, nor in
# a file (printf is a shell builtin; sed gets the token on stdin).
curl_config() {
  printf 'silent\nshow-error\nconnect-timeout = 10\nuser-agent = "cimaster.sh"\n'
  cfg_token=$(read_token) || return 0
  [ -z "$cfg_token" ] || printf 'header = "Authorization: Bearer %s"\n' "$(printf '%s' "$cfg_token" | sed 's/[\\"]/\\&/g')"
}

# start NAME CALL CURL_ARGS...: starts a call in the background ($curl_pid); the answer lands in
# $tmp/NAME.code (HTTP status), .head, .body and .err (curl's error).
start_call() {
  sc_name=$1 sc_call=$2
  shift 2
  curl_config | curl -K - -G -o "$tmp/$sc_name.body" -D "$tmp/$sc_name.head" -w '%{http_code}' "$@" "$base/$sc_call" \
    >"$tmp/$sc_name.code" 2>"$tmp/$sc_name.err" &
  curl_pid=$!
}

# Waits for a background process and returns its exit status, also when a trapped signal interrupts the wait.
# (dash would report a process killed by a signal as "Terminated" on stderr.)
reap() {
  while kill -0 "$1" 2>/dev/null; do wait "$1" 2>/dev/null; done
  wait "$1" 2>/dev/null
}

pause() {
  sleep "$1" &
  sleep_pid=$!
  wait "$sleep_pid"
  sleep_pid=
}

# retryable CURL_RC: whether the call never got an answer because of the connection: cimaster could not be
# reached (6 no such host, 7 refused) or the connection was cut before the answer (52 empty reply, 56 reset,
# as when a replica goes away). Repeating is safe: finishing or heartbeating twice is harmless, and a hold or
# unhold whose first try took effect is refused the second time as the cluster already is in that state.
retryable() {
  case $1 in
    6 | 7 | 52 | 56) return 0 ;;
    *) return 1 ;;
  esac
}

# call NAME CALL CURL_ARGS...: one call, tried again (3 tries, 2 s apart) only while the connection fails
# (see retryable). Returns curl's exit code.
call() {
  call_tries=0
  while :; do
    start_call "$@"
    reap "$curl_pid"
    call_rc=$?
    curl_pid=
    retryable "$call_rc" || return "$call_rc"
    call_tries=$((call_tries + 1))
    [ "$call_tries" -lt 3 ] || return "$call_rc"
    pause 2
  done
}

one_line() { tr '\r\n' '  ' <"$1" | sed 's/  */ /g; s/ $//' | cut -c1-300; }

# verdict NAME CURL_RC: this script's exit code for the finished call NAME (0 when cimaster answered 2xx);
# $answer gets cimaster's reply, or why it could not be reached, on one line.
verdict() {
  if [ "$2" -ne 0 ]; then
    answer="cannot reach cimaster at $base: $(one_line "$tmp/$1.err")"
    return "$E_UNREACHABLE"
  fi
  answer=$(one_line "$tmp/$1.body")
  v_status=$(cat "$tmp/$1.code")
  [ -n "$answer" ] || answer="HTTP $v_status with an empty answer"
  case $v_status in
    2??) return 0 ;;
    400) return "$E_USAGE" ;;
    # No capacity is always 503 with Retry-After; any other 5xx is cimaster failing.
    503) if header_value "$1" retry-after | grep -q .; then return "$E_NO_CLUSTER"; fi ;;
    5??) ;;
    *) return "$E_REFUSED" ;;
  esac
  answer="cimaster failed (HTTP $v_status): $answer"
  return "$E_UNREACHABLE"
}

# header_value NAME HEADER: the value of a header (lower-case name) in the answer to call NAME.
header_value() {
  tr '[:upper:]' '[:lower:]' <"$tmp/$1.head" | tr -d '\r' | sed -n "s/^$2:[[:space:]]*//p" | head -n 1
}

# ---- option parsing ----

# seconds_of DURATION: a Go-style duration (90s, 10m, 2h, 1h30m, or plain seconds) in whole seconds.
seconds_of() {
  d_rest=$1 d_total=0
  case $d_rest in
    '' | *[!0-9smhd]*) return 1 ;;
    *[smhd]*) ;;
    *) d_rest=${d_rest}s ;;
  esac
  while [ -n "$d_rest" ]; do
    d_num=${d_rest%%[!0-9]*}
    d_rest=${d_rest#"$d_num"}
    d_unit=${d_rest%"${d_rest#?}"}
    d_rest=${d_rest#?}
    if [ -z "$d_num" ] || [ "${#d_num}" -gt 7 ]; then return 1; fi
    d_num=${d_num#"${d_num%%[!0]*}"} # $((08)) is not decimal
    case $d_unit in
      s) d_unit=1 ;;
      m) d_unit=60 ;;
      h) d_unit=3600 ;;
      d) d_unit=86400 ;;
      *) return 1 ;;
    esac
    d_total=$((d_total + ${d_num:-0} * d_unit))
  done
  echo "$d_total"
}

# set_option COMMAND OPTION VALUE: the options of acquire and run (and --build/--job elsewhere).
set_option() {
  case $1:$2 in
    acquire:--wait | run:--wait)
      wait_seconds=$(seconds_of "$3") || usage_error "--wait takes a duration like 90s, 10m or 1h, got '$3'"
      ;;
    acquire:--region | run:--region) region=$3 ;;
    acquire:--labels | run:--labels) labels=$3 ;;
    run:--hold-on-failure)
      hold_seconds=$(seconds_of "$3") || hold_seconds=0
      [ "$hold_seconds" -gt 0 ] || usage_error "--hold-on-failure takes a duration like 30m or 2h, got '$3'"
      ;;
    hold:--hours)
      case $3 in
        '' | .* | *. | *[!0-9.]* | *.*.*) usage_error "--hours takes a positive number of hours, got '$3'" ;;
      esac
      hours=$3
      ;;
    *:--build) build=$3 ;;
    acquire:--job | run:--job) job=$3 ;;
    *) usage_error "$1 has no option $2" ;;
  esac
}

# parse_options COMMAND ARGS...: options ("--name value" or "--name=value") and the cluster name, up to "--";
# $parsed counts the words taken, the command word included.
parse_options() {
  po_cmd=$1
  shift
  parsed=1
  positional=
  while [ $# -gt 0 ]; do
    case $1 in
      --)
        parsed=$((parsed + 1))
        return 0
        ;;
      --*=*)
        set_option "$po_cmd" "${1%%=*}" "${1#*=}"
        parsed=$((parsed + 1))
        shift
        ;;
      --*)
        [ $# -ge 2 ] || usage_error "$1 needs a value"
        set_option "$po_cmd" "$1" "$2"
        parsed=$((parsed + 2))
        shift 2
        ;;
      -*) usage_error "$po_cmd has no option $1" ;;
      *)
        [ "$po_cmd" != run ] || usage_error "run takes its command after --, got '$1' before it"
        [ "$po_cmd" != acquire ] || usage_error "acquire takes no cluster name, got '$1'"
        [ -z "$positional" ] || usage_error "$po_cmd takes one cluster name, got '$positional' and '$1'"
        positional=$1
        parsed=$((parsed + 1))
        shift
        ;;
    esac
  done
}

need_identity() {
  [ -n "$build" ] || usage_error "no build: BUILD_ID is not set (Prow sets it in every job's pod); pass --build"
  [ -n "$job" ] || usage_error "no job: JOB_NAME is not set (Prow sets it in every job's pod); pass --job"
}

need_cluster() {
  [ -n "$positional" ] || usage_error "$1 needs a cluster name"
}

# ---- signals ----

# The handler only records the signal and stops what is running; the main flow decides what comes next.
on_signal() {
  interrupted=$1
  if [ -n "$child" ]; then
    note "got SIG$1: stopping the command, then giving cluster $cluster back"
    kill -TERM "$child" 2>/dev/null
  elif [ "$phase" = acquiring ]; then
    stop "$vacant_pid" "$curl_pid" "$sleep_pid"
  fi
}

# Sends TERM to those of the given processes that are set.
stop() {
  for stop_pid in "$@"; do
    [ -z "$stop_pid" ] || kill -TERM "$stop_pid" 2>/dev/null
  done
}

signal_exit_code() {
  case $1 in
    HUP) echo 129 ;;
    INT) echo 130 ;;
    *) echo 143 ;;
  esac
}

trap_signals() {
  interrupted='' child='' phase='' vacant_pid='' curl_pid='' sleep_pid=''
  trap 'on_signal HUP' HUP
  trap 'on_signal INT' INT
  trap 'on_signal TERM' TERM
}

# ---- commands ----

# Waits in the fair queue (up to $wait_seconds) and sets $cluster; prints the queue position on stderr while
# waiting. A connection that fails is tried again (3 tries, 2 s apart); a 503 with Retry-After that comes while the
# wait has time left (a replica that shuts down ends its waits so) is asked again after Retry-After seconds, for
# what is left of the wait. Exits on failure.
acquire_cluster() {
  phase=acquiring
  set -- --data-urlencode "build=$build" --data-urlencode "job=$job"
  [ -z "$region" ] || set -- "$@" --data-urlencode "region=$region"
  [ -z "$labels" ] || set -- "$@" --data-urlencode "labels=$labels"
  # Look at the answer every fifth of a second where sleep takes fractions (GNU, busybox, BSD; POSIX only
  # promises whole seconds), and at the queue position after one second, then every two.
  if sleep 0.01 2>/dev/null; then ac_tick=0.2 ac_per_second=5; else ac_tick=1 ac_per_second=1; fi
  ac_tries=0 ac_left=$wait_seconds ac_deadline=$(($(date +%s) + wait_seconds))
  while :; do
    start_call vacant getvacant "$@" --max-time $((ac_left + 60)) --data-urlencode "wait=$ac_left"
    vacant_pid=$curl_pid
    curl_pid=
    ac_ticks=0 ac_shown=
    while kill -0 "$vacant_pid" 2>/dev/null; do
      pause "$ac_tick"
      ac_ticks=$((ac_ticks + 1))
      [ $((ac_ticks % (2 * ac_per_second))) -eq "$ac_per_second" ] && [ -z "$interrupted" ] && show_position
    done
    reap "$vacant_pid"
    ac_rc=$?
    vacant_pid=
    [ -z "$interrupted" ] || abandon_acquire
    if retryable "$ac_rc"; then
      ac_tries=$((ac_tries + 1))
      [ "$ac_tries" -lt 3 ] || break
      pause 2
    else
      ask_again_after || break
      ac_tries=0
    fi
    [ -z "$interrupted" ] || abandon_acquire
    ac_left=$((ac_deadline - $(date +%s)))
    [ "$ac_left" -gt 0 ] || ac_left=0
  done
  verdict vacant "$ac_rc" || fail $? "acquire: $answer"
  cluster=$(cat "$tmp/vacant.body")
  case $cluster in
    '' | *[!a-z0-9-]*) fail "$E_UNREACHABLE" "acquire: cimaster answered something that is not a cluster name: $answer" ;;
  esac
  phase=
}

# After a finished getvacant: when cimaster answered 503 with Retry-After and the wait has more time left than
# that, says so, pauses for Retry-After seconds and succeeds (ask again); else fails (the answer stands).
ask_again_after() {
  [ "$ac_rc" -eq 0 ] && [ "$(cat "$tmp/vacant.code")" = 503 ] || return 1
  aa_retry=$(header_value vacant retry-after)
  case $aa_retry in '' | *[!0-9]*) return 1 ;; esac
  [ $((ac_deadline - $(date +%s))) -gt "$aa_retry" ] || return 1
  note "acquire: $(one_line "$tmp/vacant.body"); asking again in ${aa_retry}s"
  pause "$aa_retry"
}

# A signal came while waiting: give back a cluster that was granted in the same instant, and stop.
abandon_acquire() {
  if verdict vacant "$ac_rc"; then give_back "$(cat "$tmp/vacant.body")" 0; fi
  fail "$(signal_exit_code "$interrupted")" "got SIG$interrupted while waiting for a cluster"
}

show_position() {
  call queue queue --max-time 10 --data-urlencode "build=$build" --data-urlencode "job=$job" || return 0
  [ "$(cat "$tmp/queue.code")" = 200 ] || return 0
  sp_position=$(sed -n 's/.*"position":\([0-9][0-9]*\).*/\1/p' "$tmp/queue.body")
  [ -n "$sp_position" ] && [ "$sp_position" != "$ac_shown" ] || return 0
  ac_shown=$sp_position
  note "waiting for a cluster: position $sp_position in the queue"
}

cmd_acquire() {
  trap_signals
  need_identity
  acquire_cluster
  if [ -n "$interrupted" ]; then
    give_back "$cluster" 1
    exit "$(signal_exit_code "$interrupted")"
  fi
  echo "$cluster"
}

# simple_call COMMAND CALL PARAMS...: one call whose text reply is the command's output.
simple_call() {
  sc_cmd=$1
  shift
  call answer "$@" --max-time 60
  verdict answer $? || fail $? "$sc_cmd: $answer"
  echo "$answer"
}

# give_back CLUSTER STATUS: hold the cluster when STATUS is a failure and --hold-on-failure was given,
# else (or when the hold fails) release it. Only says what happened; never changes the exit code.
give_back() {
  if [ "$2" -ne 0 ] && [ -n "$hold_seconds" ]; then
    gb_hours=$((hold_seconds / 3600)).$(printf '%04d' $((hold_seconds % 3600 * 10000 / 3600)))
    call hold holdcluster --max-time 60 --data-urlencode "cluster=$1" --data-urlencode "hours=$gb_hours" --data-urlencode "build=$build"
    if verdict hold $?; then
      note "command failed (exit $2): $answer; give it back with: sh $PROG unhold $1 --build $build"
      return 0
    fi
    note "could not hold cluster $1 ($answer); releasing it"
  fi
  call finish finishtest --max-time 60 --data-urlencode "cluster=$1" --data-urlencode "build=$build"
  if verdict finish $?; then note "$answer"; else note "could not release cluster $1: $answer"; fi
}

# Runs in the background while the command runs: heartbeats every third of the lease, and if the wrapper
# itself is killed (SIGKILL, OOM) stops the command, since nobody would give its cluster back. It ends when
# $tmp/done appears; the TERM that follows only makes it quicker (a TERM that comes before this subshell set
# its trap can be lost).
heartbeat_loop() {
  trap 'stop "$curl_pid" "$sleep_pid"; exit 0' TERM
  trap '' HUP INT
  hb_due=$2
  while [ ! -e "$tmp/done" ]; do
    pause 1
    if ! kill -0 "$$" 2>/dev/null; then
      kill -TERM "$3" 2>/dev/null
      rm -rf "$tmp"
      exit 0
    fi
    hb_due=$((hb_due - 1))
    [ "$hb_due" -le 0 ] || continue
    call beat heartbeat --max-time 30 --data-urlencode "cluster=$1" --data-urlencode "build=$build"
    verdict beat $?
    case $? in
      0) hb_due=$2 ;;
      "$E_UNREACHABLE")
        note "heartbeat for cluster $1 failed, retrying in 5s: $answer"
        hb_due=5
        ;;
      *)
        note "heartbeat for cluster $1 refused, the lease will lapse: $answer"
        hb_due=999999999
        ;;
    esac
  done
}

cmd_run() {
  [ $# -gt 0 ] || usage_error "run needs a command after --"
  need_identity
  trap_signals
  acquire_cluster
  if [ -n "$interrupted" ]; then
    give_back "$cluster" 1
    exit "$(signal_exit_code "$interrupted")"
  fi
  lease=$(header_value vacant cimaster-lease-seconds)
  case $lease in '' | *[!0-9]*) lease=180 ;; esac # a cimaster without the header: heartbeat every minute
  interval=$((lease / 3))
  [ "$interval" -ge 1 ] || interval=1
  CLUSTER=$cluster
  export CLUSTER
  note "cluster $cluster acquired; heartbeat every ${interval}s; running: $*"
  # An asynchronous command would get /dev/null as stdin; hand it ours.
  exec 3<&0
  "$@" 0<&3 3<&- &
  child=$!
  [ -z "$interrupted" ] || kill -TERM "$child"
  heartbeat_loop "$cluster" "$interval" "$child" </dev/null 3<&- &
  beat_pid=$!
  exec 3<&-
  reap "$child"
  status=$?
  child=
  : >"$tmp/done"
  kill -TERM "$beat_pid" 2>/dev/null
  reap "$beat_pid"
  [ -z "$interrupted" ] || note "the command ended (exit $status) after SIG$interrupted"
  give_back "$cluster" "$status"
  exit "$status"
}

main() {
  [ $# -gt 0 ] || usage_error "no command given"
  cmd=$1
  case $cmd in
    help | -h | --help)
      usage
      exit 0
      ;;
    acquire | release | heartbeat | hold | unhold | run) ;;
    *) usage_error "unknown command '$cmd'" ;;
  esac
  wait_seconds=1800 region='' labels='' hold_seconds='' hours='' cluster=''
  build=${BUILD_ID:-} job=${JOB_NAME:-}
  parse_options "$@"
  shift "$parsed"
  case $cmd in
    run) ;;
    *) [ $# -eq 0 ] || usage_error "$cmd takes no '--'" ;;
  esac
  case $cmd in
    run | acquire) ;;
    *) need_cluster "$cmd" ;;
  esac
  load_config
  make_tmp
  trap remove_tmp EXIT
  case $cmd in
    acquire) cmd_acquire ;;
    run) cmd_run "$@" ;;
    release)
      set -- --data-urlencode "cluster=$positional"
      [ -z "$build" ] || set -- "$@" --data-urlencode "build=$build"
      simple_call release finishtest "$@"
      ;;
    heartbeat)
      [ -n "$build" ] || usage_error "no build: BUILD_ID is not set (Prow sets it in every job's pod); pass --build"
      simple_call heartbeat heartbeat --data-urlencode "cluster=$positional" --data-urlencode "build=$build"
      ;;
    hold)
      set -- --data-urlencode "cluster=$positional"
      [ -z "$hours" ] || set -- "$@" --data-urlencode "hours=$hours"
      [ -z "$build" ] || set -- "$@" --data-urlencode "build=$build"
      simple_call hold holdcluster "$@"
      ;;
    unhold)
      set -- --data-urlencode "cluster=$positional"
      [ -z "$build" ] || set -- "$@" --data-urlencode "build=$build"
      simple_call unhold releasecluster "$@"
      ;;
  esac
}

main "$@"
