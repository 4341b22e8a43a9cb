package index

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"kiosk/internal/atomicfile"
)

// The record of every section (what a hit shows: titles, date, publisher,
// catalogue, and the plain text for snippets; see sectionRecord) is kept
// beside the bleve index in blocks of textBlock sections, each deflated:
// Chinese text stored in bleve (snappy, per document) took 0.85× its size,
// blocks of 8 take ~0.5× and cost ~50 µs to read.
//
//	texts.bin  the deflated blocks, back to back
//	texts.idx  little-endian uint64 offsets of each block in texts.bin, and the end
const (
	textsBin  = "texts.bin"
	textsIdx  = "texts.idx"
	textBlock = 8
)

type textWriter struct {
	f     *os.File
	w     *bufio.Writer
	offs  []uint64
	pos   uint64
	block []string
	n     int
	buf   bytes.Buffer
	fw    *flate.Writer
}

func newTextWriter(dir string) (*textWriter, error) {
	f, err := os.Create(dir + string(os.PathSeparator) + textsBin)
	if err != nil {
		return nil, err
	}
	tw := &textWriter{f: f, w: bufio.NewWriterSize(f, 1<<16)}
	tw.fw, _ = flate.NewWriter(&tw.buf, flate.DefaultCompression)
	return tw, nil
}

// add stores text and returns its sequence number.
func (tw *textWriter) add(text string) (int, error) {
	tw.block = append(tw.block, text)
	tw.n++
	if len(tw.block) == textBlock {
		if err := tw.flush(); err != nil {
			return 0, err
		}
	}
	return tw.n - 1, nil
}

func (tw *textWriter) flush() error {
	if len(tw.block) == 0 {
		return nil
	}
	tw.buf.Reset()
	tw.fw.Reset(&tw.buf)
	if _, err := tw.fw.Write([]byte(strings.Join(tw.block, "\x00"))); err != nil {
		return err
	}
	if err := tw.fw.Close(); err != nil {
		return err
	}
	tw.offs = append(tw.offs, tw.pos)
	tw.pos += uint64(tw.buf.Len())
	tw.block = tw.block[:0]
	_, err := tw.w.Write(tw.buf.Bytes())
	return err
}

// close writes the last block and the offsets, and syncs both files.
func (tw *textWriter) close(dir string) error {
	err := tw.flush()
	if err == nil {
		err = tw.w.Flush()
	}
	if err == nil {
		err = tw.f.Sync()
	}
	if cerr := tw.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	idx := make([]byte, 8*(len(tw.offs)+1))
	for i, o := range append(tw.offs, tw.pos) {
		binary.LittleEndian.PutUint64(idx[8*i:], o)
	}
	return atomicfile.Write(dir+string(os.PathSeparator)+textsIdx, idx, 0o644)
}

// textReader reads section texts; safe for concurrent use (ReadAt).
type textReader struct {
	f    *os.File
	offs []uint64
}

func openTexts(dir string) (*textReader, error) {
	idx, err := os.ReadFile(dir + string(os.PathSeparator) + textsIdx)
	if err != nil {
		return nil, err
	}
	if len(idx)%8 != 0 || len(idx) < 8 {
		return nil, errors.New("搜索索引已损坏:texts.idx (search index is damaged: texts.idx)")
	}
	tr := &textReader{offs: make([]uint64, len(idx)/8)}
	for i := range tr.offs {
		tr.offs[i] = binary.LittleEndian.Uint64(idx[8*i:])
	}
	tr.f, err = os.Open(dir + string(os.PathSeparator) + textsBin)
	return tr, err
}

// text returns the text with sequence number seq; blocks (nil, or a map
// kept for one search) keeps the blocks read, so that the sections of one
// document, stored side by side, are inflated once.
func (tr *textReader) text(seq int, blocks map[int]string) (string, error) {
	b, k := seq/textBlock, seq%textBlock
	if seq < 0 || b+1 >= len(tr.offs) || tr.offs[b+1] < tr.offs[b] || tr.offs[b+1]-tr.offs[b] > 1<<30 {
		return "", fmt.Errorf("搜索索引已损坏:第 %d 节正文不在 texts.bin 中 (search index is damaged: section text %d is not in texts.bin)", seq, seq)
	}
	data, ok := blocks[b]
	if !ok {
		var err error
		if data, err = tr.block(b); err != nil {
			return "", err
		}
		if blocks != nil {
			blocks[b] = data
		}
	}
	// the k-th record, without splitting the others
	rest := data
	for range k {
		var ok bool
		if _, rest, ok = strings.Cut(rest, "\x00"); !ok {
			return "", fmt.Errorf("搜索索引已损坏:第 %d 节正文不在它的块中 (search index is damaged: section text %d is not in its block)", seq, seq)
		}
	}
	rec, _, _ := strings.Cut(rest, "\x00")
	return rec, nil
}

// block reads and inflates block b.
func (tr *textReader) block(b int) (string, error) {
	raw := make([]byte, tr.offs[b+1]-tr.offs[b])
	if _, err := tr.f.ReadAt(raw, int64(tr.offs[b])); err != nil {
		return "", err
	}
	// a decompressor holds a 32 KB window: reuse them
	fr, _ := inflaters.Get().(io.ReadCloser)
	if fr == nil {
		fr = flate.NewReader(bytes.NewReader(raw))
	} else if err := fr.(flate.Resetter).Reset(bytes.NewReader(raw), nil); err != nil {
		return "", err
	}
	data, err := io.ReadAll(fr)
	inflaters.Put(fr)
	if err != nil {
		return "", err
	}
	return string(data), nil
}

var inflaters sync.Pool

func (tr *textReader) close() error { return tr.f.Close() }

// sectionRecord is what the text store keeps of a section, in this order,
// separated by \x01 (never in sanitised text).
type sectionRecord [7]string

const (
	recSectionTitle = iota
	recDocTitle
	recDate
	recPublisher
	recCatalogue
	recMeta // a lead section's keywords, 文号 and 索引号 (what its body holds beyond the text)
	recText
)

// searchable is the text a hit is checked against: what its body field
// holds (document title, section title, a lead section's metadata, text).
func (r sectionRecord) searchable() string {
	return r[recDocTitle] + "\n" + r[recSectionTitle] + "\n" + r[recMeta] + "\n" + r[recText]
}

func (r sectionRecord) encode() string { return strings.Join(r[:], "\x01") }

func decodeRecord(s string) (sectionRecord, bool) {
	var r sectionRecord
	for i := range recText {
		var ok bool
		if r[i], s, ok = strings.Cut(s, "\x01"); !ok {
			return r, false
		}
	}
	r[recText] = s
	return r, true
}
