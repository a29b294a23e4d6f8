package psc

import "testing"

func TestParseAmount(t *testing.T) {
	tests := []struct{ in, value, currency string }{
		{"1234", "1234", ""},
		{"0", "0", ""},
		{"000", "0", ""},
		{"0012", "12", ""},
		{" 1234 ", "1234", ""},
		{"12,345.67", "12345.67", ""},
		{"12.345,67", "12345.67", ""},
		{"12 345,67", "12345.67", ""},
		{"12\u00a0345,67", "12345.67", ""},
		{"12\u202f345,67", "12345.67", ""},
		{"1\u00a0234 567,8", "1234567.8", ""}, // spaces of both kinds
		{"12 345.67", "12345.67", ""},
		{"1,234,567.89", "1234567.89", ""},
		{"1.234.567,89", "1234567.89", ""},
		{"1,234,567", "1234567", ""},
		{"1.234.567", "1234567", ""},
		{"1,234", "1234", ""}, // one separator and 3 digits: thousands
		{"1.234", "1234", ""},
		{"1,5", "1.5", ""}, // one separator and 1 or 2 digits: decimals
		{"1.5", "1.5", ""},
		{"1234,50", "1234.50", ""},
		{"0,05", "0.05", ""},
		{"00,50", "0.50", ""},
		{"1,234.5", "1234.5", ""}, // both: the last is the decimal separator
		{"1.234,5", "1234.5", ""},
		{"12.345,67 €", "12345.67", "EUR"},
		{"€12.345,67", "12345.67", "EUR"},
		{"€ 1 250,00", "1250.00", "EUR"},
		{"$1,234", "1234", "USD"},
		{"$ 1,234.56", "1234.56", "USD"},
		{"£99", "99", "GBP"},
		{"¥1,000", "1000", "JPY"},
		{"1000¥", "1000", "JPY"},
		{"EUR 1234", "1234", "EUR"},
		{"EUR1234", "1234", "EUR"},
		{"1234 EUR", "1234", "EUR"},
		{"1234EUR", "1234", "EUR"},
		{"1 234,56 chf", "1234.56", "CHF"},
		{"usd 5", "5", "USD"},
		{"$5 USD", "5", "USD"},
		{"999999999999999", "999999999999999", ""},
	}
	for _, tt := range tests {
		v, c, err := ParseAmount(tt.in)
		if err != nil || v != tt.value || c != tt.currency {
			t.Errorf("ParseAmount(%q) = %q, %q, %v; want %q, %q", tt.in, v, c, err, tt.value, tt.currency)
		}
	}
}

func TestParseAmountErrors(t *testing.T) {
	const forms = " (accepted: 1234.56, 1,234.56, 1.234,56 or 1 234,56, with an optional currency: €, $, £, ¥ or an ISO code such as EUR, before or after)"
	tests := []struct{ in, want string }{
		{"", `"" is not an amount: it is empty` + forms},
		{"  ", `"  " is not an amount: it is empty` + forms},
		{"-5", `"-5" is negative: a deal value cannot be negative`},
		{"-0", `"-0" is negative: a deal value cannot be negative`},
		{"\u22125", `"−5" is negative: a deal value cannot be negative`},
		{"(1,234.00)", `"(1,234.00)" is negative: a deal value cannot be negative`},
		{"$-5", `"$-5" is negative: a deal value cannot be negative`},
		{"EUR -5", `"EUR -5" is negative: a deal value cannot be negative`},
		{"5-", `"5-" is negative: a deal value cannot be negative`},
		{"5 - EUR", `"5 - EUR" is negative: a deal value cannot be negative`},
		{"1,23,4", `"1,23,4" is not an amount: the digits are not grouped by 3` + forms},
		{"12.34.56,7", `"12.34.56,7" is not an amount: the digits are not grouped by 3` + forms},
		{"1,234,56", `"1,234,56" is not an amount: the digits are not grouped by 3` + forms},
		{"1234,567", `"1234,567" is not an amount: the digits are not grouped by 3` + forms},
		{"1 234 56", `"1 234 56" is not an amount: the digits are not grouped by 3` + forms},
		{"12 34,5", `"12 34,5" is not an amount: the digits are not grouped by 3` + forms},
		{"1,234 567", `"1,234 567" is not an amount: the thousands separators differ` + forms},
		{"1.234,567.891", `"1.234,567.891" is not an amount: more than 2 decimals` + forms},
		{"1.234,567", `"1.234,567" is not an amount: more than 2 decimals` + forms},
		{"1.2345", `"1.2345" is not an amount: '.' must be followed by 3 digits (thousands) or 1 or 2 (decimals)` + forms},
		{"0,123", `"0,123" is not an amount: ',' then 3 digits separates thousands, and thousands cannot start with 0` + forms},
		{".5", `".5" is not an amount: it must start with a digit` + forms},
		{"5.", `"5." is not an amount: it must end with a digit` + forms},
		{"1,,234", `"1,,234" is not an amount: two separators in a row` + forms},
		{"1. 234", `"1. 234" is not an amount: two separators in a row` + forms},
		{"1e5", `"1e5" is not an amount: unexpected 'e'` + forms},
		{"+5", `"+5" is not an amount: unexpected '+'` + forms},
		{"12abc34", `"12abc34" is not an amount: unexpected 'a'` + forms},
		{"₹500", `"₹500" is not an amount: unexpected '₹'` + forms},
		{"EURO 5", `"EURO 5" is not an amount: unexpected 'E'` + forms},
		{"€", `"€" is not an amount: there are no digits` + forms},
		{"EUR", `"EUR" is not an amount: there are no digits` + forms},
		{"€5 USD", `"€5 USD" is not an amount: it names two currencies, EUR and USD` + forms},
		{"1000000000000000", `"1000000000000000" is too large`},
	}
	for _, tt := range tests {
		v, c, err := ParseAmount(tt.in)
		if err == nil || err.Error() != tt.want || v != "" || c != "" {
			t.Errorf("ParseAmount(%q) = %q, %q, %v\nwant error %s", tt.in, v, c, err, tt.want)
		}
	}
}
