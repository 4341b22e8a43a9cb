#!/usr/bin/env bash
# Screenshots of the kiosk in a real terminal: xterm under Xvfb with a CJK
# font, 80x24, in standard mode and 长者模式, with TERM=xterm (16 colours:
# what lipgloss downsamples to, and what xterm draws bold 0–7 bright) and
# TERM=xterm-256color. A tmux capture cannot show this: inside tmux the
# kiosk sees tmux's TERM and sends 256 colours. The screens: attract,
# catalogue, document, reader, search results. They go to docs/screens/ (or DIR), named
# TERM-MODE-SCREEN.png, e.g. xterm-elder-reader.png.
#
#   scripts/screens.sh [DIR]
#
# Environment: SCREENS_DISPLAY (X display number, default 23),
# SCREENS_TERMS (default "xterm xterm-256color"), SCREENS_MODES (default
# "standard elder"), SCREENS_XTERM_ARGS (extra xterm flags, e.g. -cjk_width),
# SCREENS_STYLE (kiosk.style, default dark).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screens}
display=:${SCREENS_DISPLAY:-23}
terms=${SCREENS_TERMS:-xterm xterm-256color}
modes=${SCREENS_MODES:-standard elder}
style=${SCREENS_STYLE:-dark}

need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xterm >/dev/null || need+=(xterm)
command -v xdotool >/dev/null || need+=(xdotool)
command -v import >/dev/null || need+=(imagemagick)
fc-list 2>/dev/null | grep -qi 'wenquanyi zen hei' || need+=(fonts-wqy-zenhei)
fc-list 2>/dev/null | grep -qi 'dejavu sans mono' || need+=(fonts-dejavu-core)
if ((${#need[@]})); then
	apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

echo "building the kiosk"
go build -o "$work/kiosk" ./cmd/kiosk
data=$work/data
"$work/kiosk" --data "$data" content load index/testdata/citizen >/dev/null 2>&1
printf '2468\n2468\n' | "$work/kiosk" --data "$data" staff set-pin >/dev/null 2>&1
# set FILE KEY VALUE: KEY under [kiosk] (staff set-pin writes only the
# lines it needs, so the key may not be there yet).
set_kiosk() {
	if grep -q "^ *$2 = " "$1"; then
		sed -i "s/^\( *$2 = \).*/\1$3/" "$1"
	else
		sed -i "/^\[kiosk\]/a $2 = $3" "$1"
	fi
}
set_kiosk "$data/kiosk.toml" style "\"$style\""
cp "$data/kiosk.toml" "$data/elder.toml"
set_kiosk "$data/elder.toml" elder_mode true

Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY=$display
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
mkdir -p "$out"

# key sends keys to the focused xterm (xterm ignores synthetic events sent
# to a window, so the window is focused and the keys typed as real ones).
key() { xdotool windowfocus --sync "$win" key --delay 80 "$@"; sleep "${pause:-0.8}"; }
typ() { xdotool windowfocus --sync "$win" type --delay 120 "$1"; sleep 1.2; }
shot() {
	import -window "$win" "$out/$term-$mode-$1.png"
	echo "  $out/$term-$mode-$1.png"
}

for term in $terms; do
	for mode in $modes; do
		config=$data/kiosk.toml
		[ "$mode" = elder ] && config=$data/elder.toml
		echo "$term, $mode"
		# The kiosk sees only TERM: no COLORTERM, no tmux to upgrade the profile.
		# shellcheck disable=SC2086
		xterm -tn "$term" -geometry 80x24+0+0 -fa 'DejaVu Sans Mono' -fd 'WenQuanYi Zen Hei' -fs 13 \
			${SCREENS_XTERM_ARGS:-} \
			-e env -u COLORTERM -u TMUX -u TMUX_PANE -u NO_COLOR TERM="$term" \
			"$work/kiosk" --data "$data" --config "$config" &
		xpid=$!
		pids+=("$xpid")
		win=$(xdotool search --sync --pid "$xpid" | head -1)
		sleep 2.5
		shot attract
		key a
		shot home
		key 1
		shot document
		key 2
		shot reader
		key s
		typ yibao
		key Return
		shot search
		# Leave as staff do: F12, the PIN, 退出 (the third item).
		key Escape Escape F12
		typ 2468
		key Return
		key 3
		sleep 0.5
		kill "$xpid" 2>/dev/null || true
		wait "$xpid" 2>/dev/null || true
	done
done
