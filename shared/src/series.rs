//! Price series: returns, rolling means, calendar dates and CSV files.
//!
//! A [`PriceSeries`] is one ticker's daily closes. On disk it is a CSV file with the header
//! `date,close` and one row per day, e.g.
//!
//! ```text
//! date,close
//! 2015-01-02,100
//! 2015-01-05,101.25
//! ```
//!
//! Reading validates everything a computation downstream would otherwise trip over, and a
//! malformed line is reported with its file, line number and field, like a compiler error:
//! `data/AST001.csv:7: field `close`: "abc" is not a number`.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Simple returns `p[t] / p[t-1] - 1`; `n` prices give `n - 1` returns (none if `n < 2`).
///
/// ```
/// let r = finance::series::simple_returns(&[100.0, 110.0, 99.0]);
/// assert_eq!(r.len(), 2);
/// assert!((r[0] - 0.10).abs() < 1e-15 && (r[1] + 0.10).abs() < 1e-15);
/// ```
pub fn simple_returns(prices: &[f64]) -> Vec<f64> {
    prices.windows(2).map(|w| w[1] / w[0] - 1.0).collect()
}

/// Log returns `ln(p[t] / p[t-1])`; `n` prices give `n - 1` returns (none if `n < 2`).
///
/// Log returns add up over time: their sum is the log of the total gross return.
///
/// ```
/// let r = finance::series::log_returns(&[100.0, 110.0, 121.0]);
/// assert!((r.iter().sum::<f64>() - 1.21f64.ln()).abs() < 1e-15);
/// ```
pub fn log_returns(prices: &[f64]) -> Vec<f64> {
    prices.windows(2).map(|w| (w[1] / w[0]).ln()).collect()
}

/// Means of every window of `window` consecutive values, in O(n) with a running sum.
///
/// Element `k` of the result is the mean of `xs[k..k + window]`, so there are
/// `n - window + 1` of them, and none when `window > n`, exactly like [`slice::windows`].
/// The running sum adds the entering value and subtracts the leaving one, so each step costs
/// O(1) instead of O(window); its rounding error grows like `n ε max|x|`, negligible for
/// daily series of any realistic length.
///
/// # Panics
/// If `window == 0` (as [`slice::windows`] does).
///
/// ```
/// let m = finance::series::rolling_mean(&[1.0, 2.0, 3.0, 4.0, 5.0], 3);
/// assert_eq!(m, vec![2.0, 3.0, 4.0]);
/// assert!(finance::series::rolling_mean(&[1.0, 2.0], 3).is_empty());
/// ```
pub fn rolling_mean(xs: &[f64], window: usize) -> Vec<f64> {
    assert!(window > 0, "rolling_mean window must be positive");
    if window > xs.len() {
        return Vec::new();
    }
    let w = window as f64;
    let mut sum: f64 = xs[..window].iter().sum();
    let mut out = Vec::with_capacity(xs.len() - window + 1);
    out.push(sum / w);
    for (leaving, entering) in xs.iter().zip(&xs[window..]) {
        sum += entering - leaving;
        out.push(sum / w);
    }
    out
}

/// Why a date is invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// The text is not of the form `yyyy-mm-dd` (four, two and two ASCII digits).
    Format,
    /// The year is outside `1..=9999`, which the four-digit format can hold.
    Year(i32),
    /// The month is outside `1..=12`.
    Month(u32),
    /// The day does not exist in that month (e.g. February 30, or February 29 of 2023).
    Day {
        /// Year of the date.
        year: i32,
        /// Month of the date.
        month: u32,
        /// The invalid day.
        day: u32,
    },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format => write!(f, "expected a date as yyyy-mm-dd"),
            Self::Year(y) => write!(f, "year {y} is outside 1..=9999"),
            Self::Month(m) => write!(f, "month {m} is outside 1..=12"),
            Self::Day { year, month, day } => {
                write!(f, "{year:04}-{month:02} has no day {day}")
            }
        }
    }
}

impl std::error::Error for DateError {}

/// A calendar date (proleptic Gregorian), without time zone.
///
/// Ordering is chronological (the fields are compared year, month, day). Parse and format as
/// ISO 8601 `yyyy-mm-dd`:
///
/// ```
/// use finance::series::Date;
/// let d: Date = "2015-01-02".parse()?;
/// assert_eq!((d.year(), d.month(), d.day()), (2015, 1, 2));
/// assert_eq!(d.next_business_day().to_string(), "2015-01-05"); // Friday -> Monday
/// # Ok::<(), finance::series::DateError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// The date `year-month-day`, validated.
    ///
    /// ```
    /// use finance::series::{Date, DateError};
    /// assert!(Date::new(2024, 2, 29).is_ok());
    /// assert_eq!(Date::new(2023, 2, 29), Err(DateError::Day { year: 2023, month: 2, day: 29 }));
    /// ```
    pub fn new(year: i32, month: u32, day: u32) -> Result<Self, DateError> {
        if !(1..=9999).contains(&year) {
            return Err(DateError::Year(year));
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(month));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Day { year, month, day });
        }
        // Both fit in a u8: checked above.
        Ok(Self {
            year,
            month: month as u8,
            day: day as u8,
        })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        self.month.into()
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u32 {
        self.day.into()
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's `days_from_civil`
    /// (<https://howardhinnant.github.io/date_algorithms.html>): the year is shifted to start
    /// in March, so the leap day falls at the end and months have a closed-form offset.
    pub fn days_since_epoch(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let year_of_era = y - era * 400;
        let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        use Weekday::*;
        // 1970-01-01 was a Thursday.
        [
            Thursday, Friday, Saturday, Sunday, Monday, Tuesday, Wednesday,
        ][self.days_since_epoch().rem_euclid(7) as usize]
    }

    /// Monday to Friday. Public holidays are not modelled: every weekday is a business day.
    pub fn is_business_day(self) -> bool {
        !matches!(self.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The following calendar day.
    ///
    /// # Panics
    /// After 9999-12-31.
    pub fn next_day(self) -> Self {
        let (y, m, d) = (self.year, self.month(), self.day());
        let next = if d < days_in_month(y, m) {
            Self::new(y, m, d + 1)
        } else if m < 12 {
            Self::new(y, m + 1, 1)
        } else {
            Self::new(y + 1, 1, 1)
        };
        next.expect("date after 9999-12-31")
    }

    /// The first business day strictly after `self` (Friday gives the next Monday).
    ///
    /// # Panics
    /// After 9999-12-31.
    pub fn next_business_day(self) -> Self {
        let mut d = self.next_day();
        while !d.is_business_day() {
            d = d.next_day();
        }
        d
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// Parses exactly `yyyy-mm-dd` (no sign, no surrounding spaces, no time part).
    fn from_str(s: &str) -> Result<Self, DateError> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(DateError::Format);
        }
        let num =
            |r: std::ops::Range<usize>| b[r].iter().fold(0, |n, c| 10 * n + u32::from(c - b'0'));
        // At most 9999: the cast is lossless.
        Self::new(num(0..4) as i32, num(5..7), num(8..10))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What is wrong with one point of a price series.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// The header line is not `date,close`; holds the line found.
    BadHeader(String),
    /// The line has no value for this field.
    MissingField,
    /// The line has more than the two fields `date,close`; holds the first extra one.
    ExtraField(String),
    /// The date does not parse.
    BadDate(DateError),
    /// The close does not parse as a number; holds the text.
    BadNumber(String),
    /// The close is NaN or infinite.
    NonFinitePrice(f64),
    /// The close is zero or negative.
    NonPositivePrice(f64),
    /// The date is not after the previous one (a duplicate if equal).
    NotIncreasing {
        /// The previous date.
        previous: Date,
        /// This date.
        date: Date,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadHeader(found) => write!(f, "expected header `date,close`, found {found:?}"),
            Self::MissingField => write!(f, "missing"),
            Self::ExtraField(extra) => write!(f, "unexpected extra field {extra:?}"),
            Self::BadDate(e) => write!(f, "{e}"),
            Self::BadNumber(text) => write!(f, "{text:?} is not a number"),
            Self::NonFinitePrice(p) => write!(f, "price {p} is not finite"),
            Self::NonPositivePrice(p) => write!(f, "price {p} is not positive"),
            Self::NotIncreasing { previous, date } if previous == date => {
                write!(f, "duplicate date {date}")
            }
            Self::NotIncreasing { previous, date } => {
                write!(f, "date {date} is not after the previous date {previous}")
            }
        }
    }
}

/// Why a price series could not be built, read or written.
#[derive(Debug)]
pub enum SeriesError {
    /// Reading or writing `file` failed.
    Io {
        /// The file.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Line `line` (from 1, the header being line 1) of `file` is malformed in `field`.
    Csv {
        /// The file (or the name given to [`read_csv_str`]).
        file: String,
        /// Line number, from 1.
        line: usize,
        /// `"header"`, `"date"` or `"close"`.
        field: &'static str,
        /// What is wrong.
        problem: Problem,
    },
    /// [`PriceSeries::new`] was given different numbers of dates and prices.
    LengthMismatch {
        /// Number of dates.
        dates: usize,
        /// Number of prices.
        prices: usize,
    },
    /// [`PriceSeries::new`]: the point at `index` is invalid.
    Invalid {
        /// Position of the offending point.
        index: usize,
        /// What is wrong.
        problem: Problem,
    },
}

impl fmt::Display for SeriesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { file, source } => write!(f, "{file}: {source}"),
            Self::Csv {
                file,
                line,
                field,
                problem,
            } => write!(f, "{file}:{line}: field `{field}`: {problem}"),
            Self::LengthMismatch { dates, prices } => {
                write!(f, "{dates} dates but {prices} prices")
            }
            Self::Invalid { index, problem } => write!(f, "point {index}: {problem}"),
        }
    }
}

impl std::error::Error for SeriesError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The daily closing prices of one ticker.
///
/// Series built by [`PriceSeries::new`], [`read_csv`] or [`read_csv_str`] have strictly
/// increasing dates and positive, finite prices; the fields are public for convenience, so
/// code that mutates them takes that responsibility over.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceSeries {
    /// The ticker symbol, e.g. `"AST001"`.
    pub ticker: String,
    /// Trading dates, strictly increasing.
    pub dates: Vec<Date>,
    /// Closing prices, `prices[t]` on `dates[t]`.
    pub prices: Vec<f64>,
}

/// Checks a price, returning the problem if it is not positive and finite.
fn check_price(p: f64) -> Result<f64, Problem> {
    if !p.is_finite() {
        Err(Problem::NonFinitePrice(p))
    } else if p <= 0.0 {
        Err(Problem::NonPositivePrice(p))
    } else {
        Ok(p)
    }
}

/// Checks that `date` follows `previous`.
fn check_order(previous: Option<Date>, date: Date) -> Result<Date, Problem> {
    match previous {
        Some(previous) if previous >= date => Err(Problem::NotIncreasing { previous, date }),
        _ => Ok(date),
    }
}

impl PriceSeries {
    /// A validated series: equal lengths, strictly increasing dates, positive finite prices.
    ///
    /// ```
    /// use finance::series::{Date, PriceSeries};
    /// let d0 = Date::new(2015, 1, 2)?;
    /// let s = PriceSeries::new("X", vec![d0, d0.next_business_day()], vec![100.0, 101.0])?;
    /// assert_eq!(s.len(), 2);
    /// assert!(PriceSeries::new("X", vec![d0, d0], vec![100.0, 101.0]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        ticker: impl Into<String>,
        dates: Vec<Date>,
        prices: Vec<f64>,
    ) -> Result<Self, SeriesError> {
        if dates.len() != prices.len() {
            return Err(SeriesError::LengthMismatch {
                dates: dates.len(),
                prices: prices.len(),
            });
        }
        let mut previous = None;
        for (index, (&date, &price)) in dates.iter().zip(&prices).enumerate() {
            let invalid = |problem| SeriesError::Invalid { index, problem };
            previous = Some(check_order(previous, date).map_err(invalid)?);
            check_price(price).map_err(invalid)?;
        }
        Ok(Self {
            ticker: ticker.into(),
            dates,
            prices,
        })
    }

    /// Number of days.
    pub fn len(&self) -> usize {
        self.prices.len()
    }

    /// True if the series has no days.
    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// Simple returns of the prices ([`simple_returns`]).
    pub fn simple_returns(&self) -> Vec<f64> {
        simple_returns(&self.prices)
    }

    /// Log returns of the prices ([`log_returns`]).
    pub fn log_returns(&self) -> Vec<f64> {
        log_returns(&self.prices)
    }

    /// The series as CSV text: header `date,close`, one line per day, `\n` line endings.
    ///
    /// Prices are written with Rust's shortest round-trip formatting, so reading the text
    /// back gives bit-identical prices.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(20 * (self.len() + 1));
        out.push_str("date,close\n");
        for (date, price) in self.dates.iter().zip(&self.prices) {
            // Writing to a String cannot fail.
            let _ = fmt::Write::write_fmt(&mut out, format_args!("{date},{price}\n"));
        }
        out
    }
}

/// Reads a price series from a CSV file; the ticker is the file name without extension.
///
/// See [`read_csv_str`] for the format and the checks; errors name the file as given.
///
/// ```no_run
/// let s = finance::series::read_csv("data/AST000.csv")?;
/// println!("{} has {} days", s.ticker, s.len());
/// # Ok::<(), finance::series::SeriesError>(())
/// ```
pub fn read_csv(path: impl AsRef<Path>) -> Result<PriceSeries, SeriesError> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| SeriesError::Io {
        file: file.clone(),
        source,
    })?;
    let ticker = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    parse_csv(&file, ticker, &text)
}

/// Parses a price series from CSV text; `name` becomes the ticker and labels errors.
///
/// Format: the header `date,close`, then one `yyyy-mm-dd,price` line per day. Whitespace
/// around fields, `\r\n` line endings, a UTF-8 byte-order mark and blank lines are
/// tolerated. Each line must have exactly two fields, a valid date strictly after the
/// previous line's, and a positive finite price; the first violation is returned as
/// [`SeriesError::Csv`] with its line number and field. A header alone is an empty series.
///
/// ```
/// use finance::series::read_csv_str;
/// let s = read_csv_str("AST007", "date,close\n2015-01-02,100\n2015-01-05,101.5\n")?;
/// assert_eq!(s.prices, vec![100.0, 101.5]);
///
/// let err = read_csv_str("AST007", "date,close\n2015-01-02,abc\n").unwrap_err();
/// assert_eq!(err.to_string(), r#"AST007:2: field `close`: "abc" is not a number"#);
/// # Ok::<(), finance::series::SeriesError>(())
/// ```
pub fn read_csv_str(name: &str, text: &str) -> Result<PriceSeries, SeriesError> {
    parse_csv(name, name.to_string(), text)
}

fn parse_csv(file: &str, ticker: String, text: &str) -> Result<PriceSeries, SeriesError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let error = |line, field, problem| SeriesError::Csv {
        file: file.to_string(),
        line,
        field,
        problem,
    };
    // Line numbers count every line, blank ones included, so they match an editor's.
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());

    match lines.next() {
        Some((_, header)) if is_header(header) => {}
        Some((line, header)) => {
            return Err(error(line, "header", Problem::BadHeader(header.into())));
        }
        None => return Err(error(1, "header", Problem::BadHeader(String::new()))),
    }

    let (mut dates, mut prices) = (Vec::new(), Vec::new());
    for (line, content) in lines {
        let mut fields = content.split(',').map(str::trim);
        let date_text = fields.next().filter(|f| !f.is_empty());
        let date_text = date_text.ok_or_else(|| error(line, "date", Problem::MissingField))?;
        let date = date_text
            .parse()
            .map_err(|e| error(line, "date", Problem::BadDate(e)))?;
        let date = check_order(dates.last().copied(), date).map_err(|p| error(line, "date", p))?;

        let close = fields.next().filter(|f| !f.is_empty());
        let close = close.ok_or_else(|| error(line, "close", Problem::MissingField))?;
        let price = close
            .parse::<f64>()
            .map_err(|_| error(line, "close", Problem::BadNumber(close.into())))?;
        let price = check_price(price).map_err(|p| error(line, "close", p))?;

        if let Some(extra) = fields.next() {
            return Err(error(line, "close", Problem::ExtraField(extra.into())));
        }
        dates.push(date);
        prices.push(price);
    }
    Ok(PriceSeries {
        ticker,
        dates,
        prices,
    })
}

fn is_header(line: &str) -> bool {
    let mut fields = line.split(',').map(str::trim);
    fields.next() == Some("date") && fields.next() == Some("close") && fields.next().is_none()
}

/// Writes `series` to `path` as CSV ([`PriceSeries::to_csv`]), replacing any existing file.
///
/// ```no_run
/// use finance::series::{read_csv_str, write_csv};
/// let s = read_csv_str("AST000", "date,close\n2015-01-02,100\n")?;
/// write_csv(&s, "AST000.csv")?;
/// # Ok::<(), finance::series::SeriesError>(())
/// ```
pub fn write_csv(series: &PriceSeries, path: impl AsRef<Path>) -> Result<(), SeriesError> {
    let path = path.as_ref();
    std::fs::write(path, series.to_csv()).map_err(|source| SeriesError::Io {
        file: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn returns_and_rolling_mean() {
        let p = [100.0, 102.0, 99.0, 105.0];
        let r = simple_returns(&p);
        assert_eq!(r.len(), 3);
        assert!((r[1] - (99.0 / 102.0 - 1.0)).abs() < 1e-16);
        let l = log_returns(&p);
        assert!((l.iter().sum::<f64>() - (105.0f64 / 100.0).ln()).abs() < 1e-15);
        assert!(simple_returns(&[1.0]).is_empty() && log_returns(&[]).is_empty());

        let xs: Vec<f64> = (0..50).map(|i| ((i * 37) % 11) as f64 - 4.5).collect();
        for window in [1, 2, 7, 50] {
            let fast = rolling_mean(&xs, window);
            assert_eq!(fast.len(), xs.len() - window + 1);
            for (k, m) in fast.iter().enumerate() {
                let direct = xs[k..k + window].iter().sum::<f64>() / window as f64;
                assert!((m - direct).abs() < 1e-12, "window {window} at {k}");
            }
        }
        assert!(rolling_mean(&xs, 51).is_empty());
    }

    #[test]
    #[should_panic(expected = "window must be positive")]
    fn rolling_mean_rejects_zero_window() {
        rolling_mean(&[1.0], 0);
    }

    #[test]
    fn dates_parse_format_and_validate() {
        let d = date("2016-02-29");
        assert_eq!((d.year(), d.month(), d.day()), (2016, 2, 29));
        assert_eq!(d.to_string(), "2016-02-29");
        assert_eq!(Date::new(7, 3, 4).unwrap().to_string(), "0007-03-04");
        assert!(date("2015-12-31") < date("2016-01-01"));
        use DateError::*;
        for bad in [
            "2015-1-02",
            "2015/01/02",
            "15-01-02",
            " 2015-01-02",
            "2015-01-0x",
            "",
        ] {
            assert_eq!(bad.parse::<Date>(), Err(Format), "{bad:?}");
        }
        assert_eq!("2015-13-01".parse::<Date>(), Err(Month(13)));
        assert_eq!("0000-01-01".parse::<Date>(), Err(Year(0)));
        assert_eq!(
            "1900-02-29".parse::<Date>(),
            Err(Day {
                year: 1900,
                month: 2,
                day: 29
            })
        );
        assert!("2000-02-29".parse::<Date>().is_ok()); // divisible by 400: leap
        assert_eq!(
            "2015-04-31".parse::<Date>().unwrap_err().to_string(),
            "2015-04 has no day 31"
        );
    }

    #[test]
    fn calendar_arithmetic() {
        assert_eq!(date("1970-01-01").days_since_epoch(), 0);
        assert_eq!(date("1969-12-31").days_since_epoch(), -1);
        // Reference: Python, (date(2015, 1, 2) - date(1970, 1, 1)).days
        assert_eq!(date("2015-01-02").days_since_epoch(), 16437);
        assert_eq!(date("2015-01-02").weekday(), Weekday::Friday);
        assert_eq!(date("2024-02-28").next_day(), date("2024-02-29"));
        assert_eq!(date("2015-12-31").next_day(), date("2016-01-01"));
        assert_eq!(date("2015-01-02").next_business_day(), date("2015-01-05"));
        assert_eq!(date("2015-01-03").next_business_day(), date("2015-01-05"));
        assert_eq!(date("2015-01-05").next_business_day(), date("2015-01-06"));
        // Consecutive days are consecutive day numbers across four centuries.
        let (mut d, mut n) = (date("1899-12-25"), date("1899-12-25").days_since_epoch());
        while d < date("2300-01-10") {
            let next = d.next_day();
            assert_eq!(next.days_since_epoch(), n + 1, "{d} -> {next}");
            (d, n) = (next, n + 1);
        }
    }

    #[test]
    fn csv_round_trip_is_exact() {
        let mut d = date("2015-01-02");
        let mut dates = Vec::new();
        for _ in 0..30 {
            dates.push(d);
            d = d.next_business_day();
        }
        let prices: Vec<f64> = (0..30)
            .map(|i| 100.0 * (0.01 * i as f64).exp() / 3.0)
            .collect();
        let s = PriceSeries::new("AST042", dates, prices).unwrap();
        assert_eq!(read_csv_str("AST042", &s.to_csv()).unwrap(), s);

        let path = std::env::temp_dir().join(format!("finance-series-{}.csv", std::process::id()));
        write_csv(&s, &path).unwrap();
        let back = read_csv(&path);
        std::fs::remove_file(&path).unwrap();
        let back = back.unwrap();
        assert_eq!(back.prices, s.prices);
        assert_eq!(back.ticker, path.file_stem().unwrap().to_str().unwrap());
    }

    #[test]
    fn csv_tolerates_harmless_variations() {
        let text = "\u{feff}date, close\r\n2015-01-02 , 100\r\n\r\n2015-01-05,1e2\r\n";
        let s = read_csv_str("X", text).unwrap();
        assert_eq!(s.prices, [100.0, 100.0]);
        assert!(read_csv_str("X", "date,close\n").unwrap().is_empty());
    }

    /// Parses a one-row body and returns the (line, field, problem) of the error.
    fn csv_error(text: &str) -> (usize, &'static str, Problem) {
        match read_csv_str("t.csv", text) {
            Err(SeriesError::Csv {
                line,
                field,
                problem,
                ..
            }) => (line, field, problem),
            other => panic!("expected a CSV error, got {other:?}"),
        }
    }

    #[test]
    fn each_csv_error_names_line_and_field() {
        use Problem::*;
        let ok = "date,close\n2015-01-02,100\n";
        assert_eq!(
            csv_error("day,price\n"),
            (1, "header", BadHeader("day,price".into()))
        );
        assert_eq!(csv_error(""), (1, "header", BadHeader(String::new())));
        assert_eq!(
            csv_error(&format!("{ok}2015-02-30,1\n")),
            (
                3,
                "date",
                BadDate(DateError::Day {
                    year: 2015,
                    month: 2,
                    day: 30
                })
            )
        );
        assert_eq!(
            csv_error(&format!("{ok}x,1\n")),
            (3, "date", BadDate(DateError::Format))
        );
        assert_eq!(csv_error(&format!("{ok},1\n")), (3, "date", MissingField));
        assert_eq!(
            csv_error(&format!("{ok}2015-01-05\n")),
            (3, "close", MissingField)
        );
        assert_eq!(
            csv_error(&format!("{ok}2015-01-05,\n")),
            (3, "close", MissingField)
        );
        assert_eq!(
            csv_error(&format!("{ok}2015-01-05,1O1\n")),
            (3, "close", BadNumber("1O1".into()))
        );
        assert_eq!(
            csv_error(&format!("{ok}2015-01-05,0\n")),
            (3, "close", NonPositivePrice(0.0))
        );
        assert_eq!(
            csv_error(&format!("{ok}2015-01-05,-3\n")),
            (3, "close", NonPositivePrice(-3.0))
        );
        assert_eq!(
            csv_error(&format!("{ok}2015-01-05,inf\n")),
            (3, "close", NonFinitePrice(f64::INFINITY))
        );
        assert!(matches!(
            csv_error(&format!("{ok}2015-01-05,NaN\n")),
            (3, "close", NonFinitePrice(p)) if p.is_nan()
        ));
        assert_eq!(
            csv_error(&format!("{ok}2015-01-05,1,2\n")),
            (3, "close", ExtraField("2".into()))
        );
        let (d1, d0) = (date("2015-01-02"), date("2015-01-01"));
        assert_eq!(
            csv_error(&format!("{ok}2015-01-02,101\n")),
            (
                3,
                "date",
                NotIncreasing {
                    previous: d1,
                    date: d1
                }
            )
        );
        assert_eq!(
            csv_error(&format!("{ok}2015-01-01,101\n")),
            (
                3,
                "date",
                NotIncreasing {
                    previous: d1,
                    date: d0
                }
            )
        );
        // Blank lines still count, so the number is the one an editor shows.
        assert_eq!(csv_error(&format!("{ok}\n\n2015-01-05,x\n")).0, 5);
    }

    #[test]
    fn error_messages_read_like_compiler_errors() {
        let e = read_csv_str("data/A.csv", "date,close\n2015-01-02,1\n2015-01-02,2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "data/A.csv:3: field `date`: duplicate date 2015-01-02"
        );
        let e = read_csv("/nonexistent/dir/B.csv").unwrap_err();
        assert!(matches!(e, SeriesError::Io { .. }));
        assert!(e.to_string().starts_with("/nonexistent/dir/B.csv: "), "{e}");
    }

    #[test]
    fn price_series_new_validates() {
        let d = date("2015-01-02");
        assert!(matches!(
            PriceSeries::new("X", vec![d], vec![]),
            Err(SeriesError::LengthMismatch {
                dates: 1,
                prices: 0
            })
        ));
        assert!(matches!(
            PriceSeries::new("X", vec![d, d.next_day()], vec![1.0, -1.0]),
            Err(SeriesError::Invalid {
                index: 1,
                problem: Problem::NonPositivePrice(_)
            })
        ));
    }
}
