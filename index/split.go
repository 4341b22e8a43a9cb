package index

// cheapestSplit cuts positions 0…n into pieces [i, j) of at most longest
// (and at least shortest) positions with the least total cost — the one
// dynamic programme behind segmenting characters, syllables and initials.
// cost returns a piece's cost, or ok=false when it cannot be a piece;
// cut[j] (nil: none) forbids a piece across position j. It returns the
// pieces' ends in order and the total, or nil when no split exists.
func cheapestSplit(n, shortest, longest int, cut []bool, cost func(i, j int) (c float64, ok bool)) ([]int, float64) {
	const none = 1e18
	best := make([]float64, n+1)
	from := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = none
	}
	for i := 0; i < n; i++ {
		if best[i] >= none {
			continue
		}
		for j := i + shortest; j <= n && j-i <= longest; j++ {
			if cut != nil && j-1 > i && cut[j-1] {
				break
			}
			c, ok := cost(i, j)
			if !ok {
				continue
			}
			if c := best[i] + c + costPiece; c < best[j] {
				best[j], from[j] = c, i
			}
		}
	}
	if best[n] >= none {
		return nil, none
	}
	var ends []int
	for j := n; j > 0; j = from[j] {
		ends = append(ends, j)
	}
	for l, r := 0, len(ends)-1; l < r; l, r = l+1, r-1 {
		ends[l], ends[r] = ends[r], ends[l]
	}
	return ends, best[n]
}
