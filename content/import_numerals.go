package content

import (
	"strconv"
	"strings"
	"time"
)

// normalizeDate accepts the date forms pages use (2019-01-22, 2019/1/22,
// 2019.01.22, 2019年1月22日, possibly followed by a time) and returns
// YYYY-MM-DD.
func normalizeDate(s string) (string, bool) {
	var nums []int
	cur, in := 0, false
	for _, r := range s {
		if r >= '0' && r <= '9' {
			cur, in = cur*10+int(r-'0'), true
			if cur > 99999 {
				return "", false
			}
			continue
		}
		if in {
			nums = append(nums, cur)
			cur, in = 0, false
		}
	}
	if in {
		nums = append(nums, cur)
	}
	if len(nums) < 3 {
		return "", false
	}
	t := time.Date(nums[0], time.Month(nums[1]), nums[2], 0, 0, 0, 0, time.UTC)
	if t.Year() != nums[0] || int(t.Month()) != nums[1] || t.Day() != nums[2] || nums[0] < 1900 {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// chineseNumber parses a Chinese numeral up to 999 (一 … 十三 … 二十一);
// 0 when it is not one.
func chineseNumber(s string) int {
	digit := func(r rune) int {
		i := strings.IndexRune("零一二三四五六七八九", r)
		if i < 0 {
			return -1
		}
		return i / len("一")
	}
	total, cur := 0, 0
	for _, r := range s {
		switch r {
		case '十':
			if cur == 0 {
				cur = 1
			}
			total += cur * 10
			cur = 0
		case '百':
			if cur == 0 {
				cur = 1
			}
			total += cur * 100
			cur = 0
		case '〇':
			cur = 0
		default:
			d := digit(r)
			if d < 0 {
				return 0
			}
			cur = d
		}
	}
	return total + cur
}

// chineseNumeral writes n (1–99) as a Chinese numeral, for warnings.
func chineseNumeral(n int) string {
	const digits = "零一二三四五六七八九"
	d := func(i int) string { return string([]rune(digits)[i]) }
	switch {
	case n <= 0 || n > 99:
		return strconv.Itoa(n)
	case n < 10:
		return d(n)
	case n == 10:
		return "十"
	case n < 20:
		return "十" + d(n%10)
	case n%10 == 0:
		return d(n/10) + "十"
	default:
		return d(n/10) + "十" + d(n%10)
	}
}
