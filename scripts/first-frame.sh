#!/usr/bin/env bash
# first-frame.sh: the time from process start to the first frame, for the
# kiosk and for a minimal Bubble Tea v2 program that draws one line of
# Chinese (scripts/minimal-tea), side by side: median and spread of RUNS
# runs of each, interleaved so that a change in the machine's load falls
# on both. docs/BENCHMARKS.md, "First frame from process start".
#
#   scripts/first-frame.sh [-n RUNS] [DATA]
#
# DATA is a kiosk data folder with its search index built; without it a
# temporary one is made and indexed (kiosk index rebuild). Each run starts
# the program in a new window of one 80x24 tmux server. "Process start" is
# when the window's launcher execs the program (bash's $EPOCHREALTIME, so
# tmux's own start-up is not counted); the first frame is the first
# capture-pane, polled every 5 ms, that shows the program's text (the time
# is read when that capture returns). A third row times a window that only
# prints a line: what the polling adds. docs/BENCHMARKS.md's older figures
# started the clock before `tmux new-session`, tmux's start-up included.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
	echo "usage: scripts/first-frame.sh [-n RUNS] [DATA]" >&2
	exit 2
}
runs=5
while getopts n: opt; do
	case $opt in
	n) runs=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
data=${1:-}
command -v tmux >/dev/null || {
	echo "first-frame.sh: tmux is needed (apt-get install tmux)" >&2
	exit 1
}

work=$(mktemp -d)
sock=$work/tmux.sock
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "building the kiosk and scripts/minimal-tea…" >&2
go build -o "$work/kiosk" ./cmd/kiosk
go build -o "$work/minimal-tea" ./scripts/minimal-tea
if [ -z "$data" ]; then
	data=$work/data
	mkdir -p "$data"
	"$work/kiosk" --data "$data" index rebuild 2>"$work/index.log" || {
		cat "$work/index.log" >&2
		exit 1
	}
fi

# The launcher records its pid (the program's, after exec) and the time,
# then becomes the program.
cat >"$work/launch" <<'EOF'
#!/usr/bin/env bash
echo $$ >"$1"
echo "$EPOCHREALTIME" >"$2"
shift 2
exec "$@"
EOF
chmod +x "$work/launch"

# One tmux server for every run, kept alive by an idle window.
tmux -S "$sock" new-session -d -x 80 -y 24 -s ff 'exec sleep 86400'

# once TEXT PROGRAM ARGS…: prints the milliseconds from the exec of
# PROGRAM to the first capture of its window that shows TEXT, then kills
# the program and waits for it to end (the kiosk holds its data folder's
# lock until then).
once() {
	local text=$1
	shift
	rm -f "$work/pid" "$work/start"
	# Several arguments: tmux runs them as they are, without a shell.
	tmux -S "$sock" new-window -d -t ff: -n run "$work/launch" "$work/pid" "$work/start" "$@"
	local deadline=$((SECONDS + 10)) t screen
	while :; do
		screen=$(tmux -S "$sock" capture-pane -p -t ff:run 2>/dev/null || true)
		t=$EPOCHREALTIME # after the capture: an upper bound
		[[ $screen == *"$text"* ]] && break
		if ((SECONDS >= deadline)); then
			echo "first-frame.sh: $1 never showed \"$text\":" >&2
			echo "$screen" >&2
			[ -s "$work/pid" ] && kill -KILL "$(<"$work/pid")" 2>/dev/null
			exit 1
		fi
		sleep 0.005
	done
	local pid start
	pid=$(<"$work/pid")
	start=$(<"$work/start")
	kill -KILL "$pid" 2>/dev/null || true
	# Ended: gone, or a zombie tmux has not reaped yet (its files, and so
	# the kiosk's lock, are closed).
	while [[ $(ps -o stat= -p "$pid" 2>/dev/null || echo Z) != Z* ]]; do sleep 0.01; done
	tmux -S "$sock" kill-window -t ff:run 2>/dev/null || true
	# $EPOCHREALTIME has the locale's decimal separator.
	awk -v a="${start/,/.}" -v b="${t/,/.}" 'BEGIN { printf "%.0f\n", (b - a) * 1000 }'
}

# median MS…
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# row LABEL MS…: the label, the median, min–max and every run.
row() {
	local label=$1
	shift
	local sorted
	sorted=$(printf '%s\n' "$@" | sort -n)
	printf '%-44s %6.0f   %4s–%-4s   %s\n' "$label" "$(median "$@")" \
		"$(head -1 <<<"$sorted")" "$(tail -1 <<<"$sorted")" "$*"
}

base=() tea=() kiosk=()
echo "timing $runs runs of each…" >&2
for ((i = 1; i <= runs; i++)); do
	base+=("$(once "baseline 基线" /bin/sh -c 'echo "baseline 基线"; exec sleep 600')")
	tea+=("$(once "政府信息公开 · 自助查阅" "$work/minimal-tea")")
	kiosk+=("$(once "按任意键或触摸屏幕开始" "$work/kiosk" --data "$data")")
done

echo "First frame from process start, ms: $runs runs each, interleaved, 80x24 tmux pane ($(tmux -V)), polled every 5 ms"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %6s   %-9s   %s\n' "" median "min–max" "runs"
row "a window that prints one line (polling)" "${base[@]}"
row "minimal Bubble Tea v2 (scripts/minimal-tea)" "${tea[@]}"
row "kiosk, index built" "${kiosk[@]}"
echo "kiosk minus minimal Bubble Tea, medians: $(awk -v k="$(median "${kiosk[@]}")" -v t="$(median "${tea[@]}")" 'BEGIN { printf "%.0f", k - t }') ms"
