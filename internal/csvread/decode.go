package csvread

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Encoding is the character encoding of a file.
type Encoding int

// The encodings a Decoder is told. EncodingAuto detects it (see Decoder).
const (
	EncodingAuto Encoding = iota
	EncodingUTF8
	EncodingWindows1252
)

var encodingNames = [...]string{"auto", "utf-8", "windows-1252"}

// String returns the name ParseEncoding reads: auto, utf-8 or windows-1252.
func (e Encoding) String() string {
	if e >= 0 && int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// encodingAliases are the other names accepted for the encodings. ISO-8859-1 is read as
// Windows-1252, as web browsers do: the two differ only in bytes 0x80 to 0x9F, which are
// control characters in ISO-8859-1 and never in text.
var encodingAliases = map[string]Encoding{
	"auto": EncodingAuto, "utf-8": EncodingUTF8, "utf8": EncodingUTF8,
	"windows-1252": EncodingWindows1252, "windows1252": EncodingWindows1252, "cp1252": EncodingWindows1252,
	"iso-8859-1": EncodingWindows1252, "latin1": EncodingWindows1252,
}

// ParseEncoding reads an encoding's name: "auto", "utf-8" or "windows-1252", ignoring
// case ("utf8", "cp1252", "iso-8859-1" and "latin1" are accepted too).
func ParseEncoding(s string) (Encoding, error) {
	if e, ok := encodingAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return e, nil
	}
	return 0, fmt.Errorf("%q is not a supported encoding (allowed: %s)", s, strings.Join(encodingNames[:], ", "))
}

// The names Decoder.Encoding returns.
const (
	NameUTF8        = "UTF-8"
	NameUTF8BOM     = "UTF-8 with BOM"
	NameWindows1252 = "Windows-1252"
	NameUTF16LE     = "UTF-16LE"
	NameUTF16BE     = "UTF-16BE"
)

// DecodeOptions tell NewDecoder how to read a file.
type DecodeOptions struct {
	Name     string // the file name used in errors
	Encoding Encoding
	// OtherEncoding is the advice given, after ", or ", with the errors about bytes that
	// are not UTF-8 when the user can name another encoding, e.g. "give --encoding
	// windows-1252 if it really is Windows-1252"; "" when there is no such way.
	OtherEncoding string
}

// Decoder reads a file as UTF-8 text, whatever the encoding a spreadsheet saved it in, so
// that every import reads files the same way:
//
//   - A file that starts with a UTF-16 byte order mark (little or big endian: what Excel
//     saves as "Unicode text", tab-separated) is UTF-16, decoded (an unpaired surrogate
//     reads as U+FFFD), its byte order mark dropped.
//   - A file that starts with a UTF-8 byte order mark is UTF-8, the mark dropped; a byte
//     that is not UTF-8 is an error (the file is damaged).
//   - Otherwise, with EncodingAuto, the file is UTF-8 while its bytes are; at the first
//     byte that is not, and if no character of several bytes came before, it is
//     Windows-1252 (what Excel saves as "CSV (Comma delimited)" in western locales) from
//     the start (the bytes before were ASCII, the same in both). A file that has both
//     bytes that are not UTF-8 and UTF-8 characters of several bytes is probably damaged
//     UTF-8: an error names the first such byte and the UTF-8 character.
//   - EncodingUTF8: UTF-8; a byte that is not is an error naming its line and column.
//   - EncodingWindows1252: every byte is a character of Windows-1252 (a UTF-8 byte order
//     mark included: it becomes "ï»¿"). The five bytes Windows-1252 leaves undefined read
//     as the control characters of the same code.
//
// Excel workbooks (.xlsx, .xls) are refused with a hint, in every case. Errors are *Error,
// returned by Read after the text before them; they end reading. Decoding streams, in
// constant memory.
type Decoder struct {
	src   io.Reader
	opts  DecodeOptions
	mode  int // the mode* below
	name  string
	err   error // sticky
	start bool  // the first bytes were looked at

	carry []byte // bytes read but not yet decoded (a sequence cut by a read)
	raw   []byte // the buffer of the modes that do not decode in place
	out   []byte // decoded, not yet returned

	// Where the decoded text is, for errors: lines before, and the characters of the
	// current line so far.
	line, col int

	multi           bool // a UTF-8 character of several bytes was seen (auto)
	multiLine       int  // where the first one is
	multiCol        int
	multiRune       rune
	bad             byte // the first byte that is not UTF-8, once in modeAutoWindows1252
	badLine, badCol int
	pendingHigh     rune // UTF-16: a high surrogate waiting for its low one, or 0
}

const (
	modeUTF8            = iota // UTF-8 (told, or after a BOM): bad bytes are errors
	modeAuto                   // UTF-8 so far
	modeAutoWindows1252        // auto, found not UTF-8: Windows-1252, checked for UTF-8
	modeWindows1252            // told
	modeUTF16LE
	modeUTF16BE
)

// NewDecoder returns a Decoder of r.
func NewDecoder(r io.Reader, opts DecodeOptions) *Decoder {
	d := &Decoder{src: r, opts: opts, line: 1, col: 1}
	switch opts.Encoding {
	case EncodingUTF8:
		d.mode, d.name = modeUTF8, NameUTF8
	case EncodingWindows1252:
		d.mode, d.name = modeWindows1252, NameWindows1252
	default:
		d.mode, d.name = modeAuto, NameUTF8
	}
	return d
}

// Encoding names the encoding read: "UTF-8", "UTF-8 with BOM", "Windows-1252",
// "UTF-16LE" or "UTF-16BE". With EncodingAuto, it is final only at the end of the file.
func (d *Decoder) Encoding() string { return d.name }

// Read reads decoded text.
func (d *Decoder) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if len(d.out) > 0 {
			n := copy(p, d.out)
			d.out = d.out[n:]
			return n, nil
		}
		if d.err != nil {
			return 0, d.err
		}
		if !d.start {
			if err := d.begin(); err != nil {
				d.err = err
				continue
			}
		}
		if d.mode == modeUTF8 || d.mode == modeAuto {
			if len(p) < 16 { // too small to hold a cut sequence and more: through d.out
				buf := make([]byte, 64)
				n := d.readUTF8(buf)
				d.out = append(buf[:n:n], d.out...) // d.out: the rest, when the mode changed
				continue
			}
			if n := d.readUTF8(p); n > 0 {
				return n, nil
			}
			continue
		}
		d.fill(len(p))
	}
}

// begin reads the first bytes: a byte order mark, or a workbook.
func (d *Decoder) begin() error {
	d.start = true
	var head [4]byte
	n, err := io.ReadFull(d.src, head[:])
	d.carry = append(d.carry[:0], head[:n]...)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return d.readError(err)
	}
	b := d.carry
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("\xD0\xCF\x11\xE0")):
		return &Error{File: d.opts.Name, Reason: ReasonWorkbook}
	case d.mode == modeWindows1252:
	case bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")):
		d.carry = d.carry[3:]
		d.mode, d.name = modeUTF8, NameUTF8BOM
	case bytes.HasPrefix(b, []byte("\xFF\xFE")):
		d.carry = d.carry[2:]
		d.mode, d.name = modeUTF16LE, NameUTF16LE
	case bytes.HasPrefix(b, []byte("\xFE\xFF")):
		d.carry = d.carry[2:]
		d.mode, d.name = modeUTF16BE, NameUTF16BE
	}
	return nil
}

func (d *Decoder) readError(err error) error {
	return fmt.Errorf("reading %s: %w", d.opts.Name, err)
}

// readUTF8 reads UTF-8 text into p and checks it, in place, returning how many bytes of p
// are text; it sets d.err at the end, and may change the mode.
func (d *Decoder) readUTF8(p []byte) int {
	k := copy(p, d.carry)
	d.carry = d.carry[:0]
	var err error
	if k < len(p) && d.err == nil {
		var n int
		n, err = d.src.Read(p[k:])
		k += n
	} else if d.err != nil {
		err = d.err
	}
	eof := false
	if err == io.EOF {
		eof = true
	} else if err != nil {
		d.err = d.readError(err)
	}
	text := p[:k]
	// Hold back a sequence cut at the end, to be completed by the next read.
	if !eof && d.err == nil {
		cut := incompleteTail(text)
		d.carry = append(d.carry, text[len(text)-cut:]...)
		text = text[:len(text)-cut]
	}
	bad := firstInvalid(text)
	if bad < 0 {
		d.noteMulti(text)
		d.advance(text)
		if eof && d.err == nil {
			d.err = io.EOF
		}
		return len(text)
	}
	// A byte that is not UTF-8 at text[bad].
	d.noteMulti(text[:bad])
	if d.mode == modeUTF8 || d.multi {
		d.advance(text[:bad])
		d.err = d.invalid(text[bad])
		return bad
	}
	// Auto, ASCII so far: Windows-1252 from here on (the ASCII before reads the same).
	d.advance(text[:bad])
	d.mode, d.name = modeAutoWindows1252, NameWindows1252
	d.bad, d.badLine, d.badCol = text[bad], d.line, d.col
	d.carry = append(append([]byte(nil), text[bad:]...), d.carry...)
	if eof && d.err == nil {
		d.err = io.EOF
		d.out = d.decode1252(d.carry, true)
		d.carry = nil
	}
	return bad
}

// invalid is the error about byte b, at the current position.
func (d *Decoder) invalid(b byte) error {
	other := ""
	if d.opts.OtherEncoding != "" {
		other = ", or " + d.opts.OtherEncoding
	}
	e := &Error{File: d.opts.Name, Line: d.line, Column: d.col}
	switch {
	case d.opts.Encoding == EncodingUTF8:
		e.Reason = fmt.Sprintf("byte 0x%02X is not valid UTF-8; save the file as UTF-8 (%s)%s", b, SaveAsUTF8, other)
	case d.name == NameUTF8BOM:
		e.Reason = fmt.Sprintf("byte 0x%02X is not valid UTF-8, yet the file starts with a UTF-8 byte order mark: it is probably damaged; save it again as UTF-8%s", b, other)
	default:
		e.Reason = fmt.Sprintf("byte 0x%02X is not valid UTF-8, yet the file has UTF-8 text (%q at line %d, column %d): it is probably damaged; save it again as UTF-8%s",
			b, d.multiRune, d.multiLine, d.multiCol, other)
	}
	return e
}

// noteMulti remembers the first UTF-8 character of several bytes of valid text, and where.
func (d *Decoder) noteMulti(text []byte) {
	if d.multi || d.mode != modeAuto || isASCII(text) {
		return
	}
	i := 0
	for i < len(text) && text[i] < utf8.RuneSelf {
		i++
	}
	line, col := d.line, d.col
	if nl := bytes.LastIndexByte(text[:i], '\n'); nl >= 0 {
		line += bytes.Count(text[:i], []byte{'\n'})
		col = 1 + i - nl - 1
	} else {
		col += i
	}
	d.multi, d.multiLine, d.multiCol = true, line, col
	d.multiRune, _ = utf8.DecodeRune(text[i:])
}

// advance moves the position past text (valid UTF-8).
func (d *Decoder) advance(text []byte) {
	if nl := bytes.LastIndexByte(text, '\n'); nl >= 0 {
		d.line += bytes.Count(text, []byte{'\n'})
		d.col = 1 + utf8.RuneCount(text[nl+1:])
	} else {
		d.col += utf8.RuneCount(text)
	}
}

// fill decodes the next bytes of the modes that do not decode in place into d.out, or
// sets d.err.
func (d *Decoder) fill(size int) {
	size = max(size/3, 64)
	if cap(d.raw) < size {
		d.raw = make([]byte, size)
	}
	var raw []byte
	var err error
	if len(d.carry) >= size/2 {
		// Bytes left over when the mode changed: decode them first.
		raw, d.carry = d.carry, nil
	} else {
		k := copy(d.raw[:size], d.carry)
		d.carry = d.carry[:0]
		var n int
		n, err = d.src.Read(d.raw[k:size])
		raw = d.raw[:k+n]
	}
	eof := err == io.EOF
	if err != nil && !eof {
		d.err = d.readError(err)
	}
	switch d.mode {
	case modeUTF16LE, modeUTF16BE:
		d.out = d.decodeUTF16(raw, eof)
	default:
		d.out = d.decode1252(raw, eof)
	}
	if eof && d.err == nil {
		d.err = io.EOF
	}
}

// decode1252 decodes Windows-1252 bytes. In modeAutoWindows1252 a UTF-8 character of
// several bytes is an error (the file is damaged UTF-8); a sequence cut at the end is kept
// for the next read unless at the end of the file.
func (d *Decoder) decode1252(b []byte, eof bool) []byte {
	if d.mode == modeAutoWindows1252 {
		if !eof {
			cut := incompleteTail(b)
			d.carry = append(d.carry, b[len(b)-cut:]...)
			b = b[:len(b)-cut]
		}
		for i := 0; i < len(b); i++ {
			if b[i] < utf8.RuneSelf {
				continue
			}
			if r, n := utf8.DecodeRune(b[i:]); n > 1 {
				text := decodeWindows1252(b[:i])
				line, col := d.line, d.col
				if nl := bytes.LastIndexByte(text, '\n'); nl >= 0 {
					line += bytes.Count(text, []byte{'\n'})
					col = 1 + utf8.RuneCount(text[nl+1:])
				} else {
					col += utf8.RuneCount(text)
				}
				d.multi, d.multiRune, d.multiLine, d.multiCol = true, r, line, col
				d.line, d.col = d.badLine, d.badCol
				d.err = d.invalid(d.bad)
				return nil
			}
		}
	}
	out := decodeWindows1252(b)
	if d.mode == modeAutoWindows1252 {
		d.advance(out)
	}
	return out
}

// decodeUTF16 decodes UTF-16 bytes; an odd byte or a high surrogate at the end waits for
// the next read, unless at the end of the file.
func (d *Decoder) decodeUTF16(b []byte, eof bool) []byte {
	out := make([]byte, 0, len(b)*3/2+4)
	i := 0
	for ; i+1 < len(b); i += 2 {
		var u uint16
		if d.mode == modeUTF16LE {
			u = uint16(b[i]) | uint16(b[i+1])<<8
		} else {
			u = uint16(b[i])<<8 | uint16(b[i+1])
		}
		r := rune(u)
		if hi := d.pendingHigh; hi != 0 {
			d.pendingHigh = 0
			if u >= 0xDC00 && u < 0xE000 {
				out = utf8.AppendRune(out, utf16.DecodeRune(hi, r))
				continue
			}
			out = utf8.AppendRune(out, utf8.RuneError) // a high surrogate alone
		}
		switch {
		case u >= 0xD800 && u < 0xDC00:
			d.pendingHigh = r
			continue
		case u >= 0xDC00 && u < 0xE000:
			r = utf8.RuneError // a low surrogate alone
		}
		out = utf8.AppendRune(out, r)
	}
	if i < len(b) {
		if eof {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			d.carry = append(d.carry, b[i])
		}
	}
	if eof && d.pendingHigh != 0 {
		out = utf8.AppendRune(out, utf8.RuneError)
		d.pendingHigh = 0
	}
	return out
}

// incompleteTail returns how many bytes at the end of b begin a UTF-8 sequence that the
// next bytes may complete (0 to 3).
func incompleteTail(b []byte) int {
	for n := 1; n <= 3 && n <= len(b); n++ {
		c := b[len(b)-n]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-n:]) {
				return n
			}
			return 0
		}
	}
	return 0
}

// firstInvalid returns -1 when b is valid UTF-8, else the index of its first byte that is
// not part of a valid sequence.
func firstInvalid(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// windows1252High is the character of each byte from 0x80 to 0x9F in Windows-1252 (the
// others are those of ISO-8859-1, the same code); the five bytes Windows-1252 leaves
// undefined are the C1 control characters of the same code, as in the WHATWG Encoding
// Standard.
var windows1252High = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

// decodeWindows1252 returns the UTF-8 text of Windows-1252 bytes.
func decodeWindows1252(b []byte) []byte {
	high := 0
	for _, c := range b {
		if c >= utf8.RuneSelf {
			high++
		}
	}
	out := make([]byte, 0, len(b)+2*high)
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] < utf8.RuneSelf {
			i++
		}
		out = append(out, b[:i]...)
		if i == len(b) {
			break
		}
		r := rune(b[i])
		if b[i] < 0xA0 {
			r = windows1252High[b[i]-0x80]
		}
		out = utf8.AppendRune(out, r)
		b = b[i+1:]
	}
	return out
}
