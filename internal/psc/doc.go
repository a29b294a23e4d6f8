// Package psc reads the opportunity export of Partner Sales Connect (PSC), a CSV file as
// a spreadsheet saves it, for `pcctl deal import --psc`. It reads the file, its header and
// its rows (Read), and the values spreadsheets write in their own ways: amounts
// (ParseAmount) and dates (ParseDate). It does not check the values against pcctl's rules
// (package domain does) nor write anything.
//
// # The file
//
// The CSV format, and the positions (line and column, in characters) of every value and
// every error, are internal/csvread's: RFC 4180, comma, semicolon or tab delimiters, LF or
// CRLF line endings, blank records skipped. Before that, Read decodes the bytes with
// csvread's Decoder, as every import does:
//
//   - EncodingAuto: UTF-16 (little or big endian) when the file starts with its byte order
//     mark (Excel's "Unicode text", tab-separated); UTF-8, with or without a byte order
//     mark, when the bytes are valid UTF-8; otherwise Windows-1252 (what Excel saves as
//     "CSV (Comma delimited)" in western locales), unless the file also holds valid UTF-8
//     sequences of several bytes (or starts with a UTF-8 byte order mark): then it is
//     probably damaged UTF-8, and Read refuses it, naming the line and column of the first
//     invalid byte.
//   - EncodingUTF8: UTF-8 (or UTF-16 with its byte order mark); an invalid byte is an error
//     naming its line and column.
//   - EncodingWindows1252: every byte is a character of Windows-1252 (a UTF-8 byte order
//     mark included: it becomes "ï»¿"). The five bytes Windows-1252 leaves undefined read
//     as the control characters of the same code.
//
// Excel workbooks are refused with a hint in every case; so is UTF-16 without a byte order
// mark (NUL bytes). Errors about values are for a spreadsheet user: the line, and the
// column's letter and header ("deals.csv:5: column C, Customer Name: ...").
//
// Read holds the whole file in memory: the bytes (at most Options.MaxBytes, 1 GiB by
// default), their decoded text when the file is Windows-1252 (up to 3 times as large),
// and the rows (about 650 bytes each besides their values; at most Options.MaxRows,
// 1,000,000 by default).
//
// # Columns
//
// The header names the columns. A name matches a built-in PSC column (Column, with the
// names of PSC's export: "Opportunity ID", "Deal Name", ...) ignoring case, white space,
// underscores and hyphens; otherwise, a name of the --map file (the Mapping), matched the
// same way; otherwise the column is unknown, listed in File.Unknown and not read. Opportunity
// ID, Deal Name, Customer Name and Status are required.
//
// # The --map file
//
// A YAML file mapping the export's header names onto the built-in columns, for exports
// whose headers were translated or renamed, and values of the file onto values pcctl reads,
// column by column:
//
//	columns:
//	  "ID de l'opportunité": Opportunity ID
//	  "Nom du client": Customer Name
//	  Statut: Status
//	values:
//	  Statut: {Gagné: Won, Perdu: Lost, Ouvert: Open}
//	  Deal Type: {Standard: Private}
//	  Customer Country: {Hexagone: FR}
//
// Keys of columns are the file's header names, values built-in column names (matched as
// headers are: "opportunity id" will do). Each column may be named once, each header once,
// and a built-in name may not be given to another column. Keys of values are columns, by
// their built-in name or a header of columns; each maps file values (matched ignoring
// case, accents and spaces) to the value read instead. LoadMapping does not check the
// values mapped to against pcctl's rules: migrate.LoadMapping does. Errors name the file,
// line and column.
//
// Options.Require names the columns the caller needs besides the four always required
// (Deal Value, Currency and Products for a deal import): a header without them is refused
// once, naming them and the columns: entries that would supply them.
//
// # Dates
//
// Options.Dates gives the order of the day and month in the dates that are not ISO
// (YYYY-MM-DD). With DateAuto, Read looks at every such date in the Estimated Close Date,
// Created Date and Last Modified Date columns: one that can only be DD/MM/YYYY (the first
// number above 12) makes the file DateDMY, one that can only be MM/DD/YYYY makes it
// DateMDY; both kinds in one file is an error. When no date tells the order but some read
// differently in the two orders (day and month both 12 or less, and different), Read
// refuses the file, listing them, and the caller must give the order. Otherwise (no date
// outside ISO, or only dates such as 04/04/2026) the file is DateISO. Values that are not
// dates are left to ParseDate, which the caller calls on each value with File.Dates.
package psc
