//! A small dense row-major matrix: just enough linear algebra for covariance, correlation
//! and Cholesky factors of a few hundred assets.
//!
//! Element `(i, j)` lives at `data[i * cols + j]`, so a row is a contiguous slice. Every loop
//! here is ordered so that its innermost index walks along a row: that touches memory
//! sequentially, which the caches and the vectoriser reward (the labs measure the
//! difference with the naive orders).
//!
//! Shape mismatches in arithmetic ([`Matrix::matmul`], [`Matrix::mul_vec`]) are programming
//! errors and panic, like an out-of-bounds slice index; data-dependent failures (a ragged
//! input, a matrix that is not positive definite) are [`LinalgError`]s.

use std::fmt;
use std::ops::{Index, IndexMut};

/// Why a matrix could not be built or factorised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LinalgError {
    /// The data has `found` elements where `rows * cols = expected` were needed.
    DataLength {
        /// `rows * cols`.
        expected: usize,
        /// Length of the data given.
        found: usize,
    },
    /// Row `row` has `found` elements, but the first row has `expected`.
    RaggedRows {
        /// Index of the offending row.
        row: usize,
        /// Length of the first row.
        expected: usize,
        /// Length of the offending row.
        found: usize,
    },
    /// The operation needs a square matrix.
    NotSquare {
        /// Number of rows.
        rows: usize,
        /// Number of columns.
        cols: usize,
    },
    /// `a[(row, col)]` and `a[(col, row)]` differ by more than rounding.
    NotSymmetric {
        /// Row of the first asymmetric element found.
        row: usize,
        /// Column of the first asymmetric element found.
        col: usize,
    },
    /// Cholesky met a non-positive pivot at diagonal index `pivot`: the matrix is not
    /// positive definite (for a covariance: some portfolio has zero or negative variance).
    NotPositiveDefinite {
        /// Diagonal index where the factorisation failed.
        pivot: usize,
    },
}

impl fmt::Display for LinalgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DataLength { expected, found } => {
                write!(f, "expected {expected} elements, found {found}")
            }
            Self::RaggedRows {
                row,
                expected,
                found,
            } => write!(f, "row {row} has {found} elements, expected {expected}"),
            Self::NotSquare { rows, cols } => {
                write!(f, "matrix is {rows}x{cols}, expected a square matrix")
            }
            Self::NotSymmetric { row, col } => {
                write!(f, "matrix is not symmetric at ({row}, {col})")
            }
            Self::NotPositiveDefinite { pivot } => {
                write!(f, "matrix is not positive definite (pivot {pivot})")
            }
        }
    }
}

impl std::error::Error for LinalgError {}

/// A dense `rows x cols` matrix of `f64` stored row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A `rows x cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// The `n x n` identity matrix.
    pub fn identity(n: usize) -> Self {
        let mut m = Self::zeros(n, n);
        for i in 0..n {
            m[(i, i)] = 1.0;
        }
        m
    }

    /// A matrix whose element `(i, j)` is `f(i, j)`.
    ///
    /// ```
    /// let hilbert = finance::linalg::Matrix::from_fn(3, 3, |i, j| 1.0 / (i + j + 1) as f64);
    /// assert_eq!(hilbert[(1, 2)], 0.25);
    /// ```
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self {
        let data = (0..rows)
            .flat_map(|i| (0..cols).map(move |j| (i, j)))
            .map(|(i, j)| f(i, j))
            .collect();
        Self { rows, cols, data }
    }

    /// Wraps row-major `data` as a `rows x cols` matrix.
    ///
    /// ```
    /// let m = finance::linalg::Matrix::from_vec(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])?;
    /// assert_eq!(m[(1, 0)], 4.0);
    /// # Ok::<(), finance::linalg::LinalgError>(())
    /// ```
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self, LinalgError> {
        if data.len() != rows * cols {
            return Err(LinalgError::DataLength {
                expected: rows * cols,
                found: data.len(),
            });
        }
        Ok(Self { rows, cols, data })
    }

    /// Builds a matrix from rows of equal length (arrays, vectors or slices).
    /// No rows give a `0 x 0` matrix.
    ///
    /// ```
    /// use finance::linalg::Matrix;
    /// let m = Matrix::from_rows(&[[1.0, 2.0], [3.0, 4.0]])?;
    /// assert_eq!(m.row(1), &[3.0, 4.0]);
    /// # Ok::<(), finance::linalg::LinalgError>(())
    /// ```
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<Self, LinalgError> {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (row, r) in rows.iter().enumerate() {
            let r = r.as_ref();
            if r.len() != cols {
                return Err(LinalgError::RaggedRows {
                    row,
                    expected: cols,
                    found: r.len(),
                });
            }
            data.extend_from_slice(r);
        }
        Ok(Self {
            rows: rows.len(),
            cols,
            data,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// All elements, row by row.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// All elements, row by row, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The row-major data, consuming the matrix.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// Row `i` as a slice.
    ///
    /// # Panics
    /// If `i >= rows`.
    pub fn row(&self, i: usize) -> &[f64] {
        assert!(i < self.rows, "row {i} out of bounds ({} rows)", self.rows);
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row `i` as a mutable slice.
    ///
    /// # Panics
    /// If `i >= rows`.
    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        assert!(i < self.rows, "row {i} out of bounds ({} rows)", self.rows);
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Iterator over the rows as slices.
    pub fn iter_rows(&self) -> impl ExactSizeIterator<Item = &[f64]> {
        // `max(1)` keeps `chunks_exact` valid for a matrix with no columns; it then has no
        // data, so no rows are yielded whatever `rows` says.
        self.data.chunks_exact(self.cols.max(1))
    }

    /// Column `j`, copied (columns are strided in a row-major matrix).
    ///
    /// # Panics
    /// If `j >= cols`.
    pub fn column(&self, j: usize) -> Vec<f64> {
        assert!(
            j < self.cols,
            "column {j} out of bounds ({} cols)",
            self.cols
        );
        self.iter_rows().map(|r| r[j]).collect()
    }

    /// The transpose, copied tile by tile.
    ///
    /// A naive transpose reads rows but writes columns, missing the cache on every write
    /// once a column no longer fits. Working in 32 x 32 tiles keeps both the tile being
    /// read and the one being written in L1.
    pub fn transpose(&self) -> Matrix {
        const TILE: usize = 32;
        let (r, c) = self.shape();
        let mut t = Matrix::zeros(c, r);
        for i0 in (0..r).step_by(TILE) {
            for j0 in (0..c).step_by(TILE) {
                for i in i0..(i0 + TILE).min(r) {
                    for j in j0..(j0 + TILE).min(c) {
                        t.data[j * r + i] = self.data[i * c + j];
                    }
                }
            }
        }
        t
    }

    /// The product `self * other`.
    ///
    /// Loop order i-k-j: the innermost loop adds a multiple of row `k` of `other` to row `i`
    /// of the result, both contiguous, instead of walking down a column of `other`.
    ///
    /// # Panics
    /// If `self.cols() != other.rows()`.
    ///
    /// ```
    /// use finance::linalg::Matrix;
    /// let a = Matrix::from_rows(&[[1.0, 2.0], [3.0, 4.0]])?;
    /// let b = Matrix::from_rows(&[[0.0, 1.0], [1.0, 0.0]])?;
    /// assert_eq!(a.matmul(&b), Matrix::from_rows(&[[2.0, 1.0], [4.0, 3.0]])?);
    /// # Ok::<(), finance::linalg::LinalgError>(())
    /// ```
    pub fn matmul(&self, other: &Matrix) -> Matrix {
        assert_eq!(
            self.cols,
            other.rows,
            "matmul: {:?} times {:?}",
            self.shape(),
            other.shape()
        );
        let mut out = Matrix::zeros(self.rows, other.cols);
        for i in 0..self.rows {
            let out_row = &mut out.data[i * other.cols..(i + 1) * other.cols];
            for (k, &a_ik) in self.row(i).iter().enumerate() {
                for (o, &b_kj) in out_row.iter_mut().zip(other.row(k)) {
                    *o += a_ik * b_kj;
                }
            }
        }
        out
    }

    /// The matrix-vector product `self * x`.
    ///
    /// # Panics
    /// If `x.len() != self.cols()`.
    ///
    /// ```
    /// use finance::linalg::Matrix;
    /// let a = Matrix::from_rows(&[[1.0, 2.0], [3.0, 4.0]])?;
    /// assert_eq!(a.mul_vec(&[1.0, 1.0]), vec![3.0, 7.0]);
    /// # Ok::<(), finance::linalg::LinalgError>(())
    /// ```
    pub fn mul_vec(&self, x: &[f64]) -> Vec<f64> {
        assert_eq!(
            self.cols,
            x.len(),
            "mul_vec: {:?} times {}",
            self.shape(),
            x.len()
        );
        self.iter_rows().map(|row| dot(row, x)).collect()
    }
}

impl Index<(usize, usize)> for Matrix {
    type Output = f64;

    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        assert!(
            i < self.rows && j < self.cols,
            "index ({i}, {j}) out of bounds"
        );
        &self.data[i * self.cols + j]
    }
}

impl IndexMut<(usize, usize)> for Matrix {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut f64 {
        assert!(
            i < self.rows && j < self.cols,
            "index ({i}, {j}) out of bounds"
        );
        &mut self.data[i * self.cols + j]
    }
}

/// Dot product of two equally long slices.
///
/// Floating-point addition is not associative, so the compiler may not reorder a single
/// running sum: it would add one product at a time, each waiting for the previous add.
/// Eight independent partial sums let it use SIMD lanes and overlap those latencies
/// (several times faster on long slices); the result differs from the naive sum only by
/// rounding.
///
/// # Panics
/// If the lengths differ.
///
/// ```
/// assert_eq!(finance::linalg::dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
/// ```
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "dot of slices of different lengths");
    const LANES: usize = 8;
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = (a_chunks.remainder().iter())
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    let mut partial = [0.0; LANES];
    for (x, y) in a_chunks.zip(b_chunks) {
        for k in 0..LANES {
            partial[k] += x[k] * y[k];
        }
    }
    partial.iter().sum::<f64>() + tail
}

/// Sample covariance matrix (divisor `n - 1`) of `observations`, whose rows are observations
/// (days) and columns variables (assets); NumPy's `np.cov(x, rowvar=False)`.
///
/// The data are centred and transposed once, so that each entry is a dot product of two
/// contiguous rows; only the upper triangle is computed and then mirrored, which also makes
/// the result exactly symmetric.
///
/// # Panics
/// If there are fewer than two observations.
///
/// ```
/// use finance::linalg::{covariance, Matrix};
/// let x = Matrix::from_rows(&[[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])?;
/// assert_eq!(covariance(&x), Matrix::from_rows(&[[1.0, 2.0], [2.0, 4.0]])?);
/// # Ok::<(), finance::linalg::LinalgError>(())
/// ```
pub fn covariance(observations: &Matrix) -> Matrix {
    let (n, p) = observations.shape();
    assert!(n >= 2, "covariance needs at least 2 observations, got {n}");
    let mut means = vec![0.0; p];
    for row in observations.iter_rows() {
        for (m, x) in means.iter_mut().zip(row) {
            *m += x;
        }
    }
    means.iter_mut().for_each(|m| *m /= n as f64);
    let mut centred = observations.clone();
    for i in 0..n {
        for (x, m) in centred.row_mut(i).iter_mut().zip(&means) {
            *x -= m;
        }
    }
    let vars = centred.transpose(); // p x n: one contiguous row per variable
    let mut cov = Matrix::zeros(p, p);
    for i in 0..p {
        for j in i..p {
            let c = dot(vars.row(i), vars.row(j)) / (n - 1) as f64;
            cov[(i, j)] = c;
            cov[(j, i)] = c;
        }
    }
    cov
}

/// Correlation matrix of `observations` (rows = observations); NumPy's
/// `np.corrcoef(x, rowvar=False)`. A constant column has no correlation: its row and column
/// are NaN, as in NumPy. The diagonal is exactly 1 otherwise.
///
/// # Panics
/// If there are fewer than two observations.
///
/// ```
/// use finance::linalg::{correlation, Matrix};
/// let x = Matrix::from_rows(&[[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])?;
/// assert!((correlation(&x)[(0, 1)] + 1.0).abs() < 1e-15);
/// # Ok::<(), finance::linalg::LinalgError>(())
/// ```
pub fn correlation(observations: &Matrix) -> Matrix {
    let mut c = covariance(observations);
    let sd: Vec<f64> = (0..c.rows()).map(|i| c[(i, i)].sqrt()).collect();
    for i in 0..c.rows() {
        for (j, x) in c.row_mut(i).iter_mut().enumerate() {
            *x = if i == j && sd[i] > 0.0 {
                1.0
            } else {
                *x / (sd[i] * sd[j])
            };
        }
    }
    c
}

/// Cholesky factor: the lower-triangular `L` with positive diagonal and `L Lᵀ = a`.
///
/// Cholesky-Banachiewicz order (row by row): `L[i][j]` needs the dot product of the first
/// `j` entries of rows `i` and `j` of `L`, two contiguous prefixes. `a` must be square,
/// symmetric up to `1e-10` times its largest diagonal element, and positive definite;
/// otherwise the error says where it failed. Only the lower triangle of `a` is used.
///
/// ```
/// use finance::linalg::{cholesky, Matrix};
/// let a = Matrix::from_rows(&[[4.0, 2.0], [2.0, 5.0]])?;
/// let l = cholesky(&a)?;
/// assert_eq!(l, Matrix::from_rows(&[[2.0, 0.0], [1.0, 2.0]])?);
/// assert_eq!(l.matmul(&l.transpose()), a);
/// # Ok::<(), finance::linalg::LinalgError>(())
/// ```
pub fn cholesky(a: &Matrix) -> Result<Matrix, LinalgError> {
    let (n, cols) = a.shape();
    if n != cols {
        return Err(LinalgError::NotSquare { rows: n, cols });
    }
    let scale = (0..n).map(|i| a[(i, i)].abs()).fold(0.0, f64::max);
    for i in 0..n {
        for j in 0..i {
            let gap = (a[(i, j)] - a[(j, i)]).abs();
            if gap.is_nan() || gap > 1e-10 * scale {
                return Err(LinalgError::NotSymmetric { row: i, col: j });
            }
        }
    }
    let mut l = Matrix::zeros(n, n);
    for i in 0..n {
        for j in 0..=i {
            let s = a[(i, j)] - dot(&l.row(i)[..j], &l.row(j)[..j]);
            if i == j {
                if s.is_nan() || s <= 0.0 {
                    return Err(LinalgError::NotPositiveDefinite { pivot: i });
                }
                l[(i, i)] = s.sqrt();
            } else {
                l[(i, j)] = s / l[(j, j)];
            }
        }
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(a: &Matrix, b: &Matrix, tol: f64) {
        assert_eq!(a.shape(), b.shape());
        for (x, y) in a.as_slice().iter().zip(b.as_slice()) {
            assert!((x - y).abs() <= tol, "{x} vs {y}\n{a:?}\n{b:?}");
        }
    }

    /// 6 observations of 3 variables; references from NumPy 2.4:
    /// `np.cov(X, rowvar=False)`, `np.corrcoef(X, rowvar=False)`, `np.linalg.cholesky(np.cov(...))`.
    const X: [[f64; 3]; 6] = [
        [1.0, 2.0, 0.5],
        [2.0, 1.0, 1.5],
        [3.0, 4.0, 0.0],
        [4.0, 3.0, 2.0],
        [5.0, 6.0, 1.0],
        [6.0, 4.0, 3.0],
    ];

    #[test]
    fn constructors_and_indexing() {
        let m = Matrix::from_fn(2, 3, |i, j| (10 * i + j) as f64);
        assert_eq!(m.shape(), (2, 3));
        assert_eq!(m.row(1), &[10.0, 11.0, 12.0]);
        assert_eq!(m.column(2), vec![2.0, 12.0]);
        assert_eq!(m.iter_rows().len(), 2);
        assert_eq!(Matrix::identity(2).as_slice(), &[1.0, 0.0, 0.0, 1.0]);
        assert_eq!(
            Matrix::from_vec(2, 2, vec![1.0]),
            Err(LinalgError::DataLength {
                expected: 4,
                found: 1
            })
        );
        let ragged: [&[f64]; 2] = [&[1.0, 2.0], &[3.0]];
        assert_eq!(
            Matrix::from_rows(&ragged),
            Err(LinalgError::RaggedRows {
                row: 1,
                expected: 2,
                found: 1
            })
        );
        assert_eq!(Matrix::from_rows::<[f64; 0]>(&[]).unwrap().shape(), (0, 0));
    }

    #[test]
    fn transpose_and_matmul_agree_with_definitions() {
        let a = Matrix::from_fn(37, 45, |i, j| (i * 45 + j) as f64 * 0.5 - 3.0);
        let t = a.transpose();
        assert_eq!(t.shape(), (45, 37));
        assert!((0..37).all(|i| (0..45).all(|j| a[(i, j)] == t[(j, i)])));
        assert_eq!(t.transpose(), a);

        let b = Matrix::from_fn(45, 7, |i, j| ((i + 2 * j) % 5) as f64);
        let c = a.matmul(&b);
        let naive = Matrix::from_fn(37, 7, |i, j| (0..45).map(|k| a[(i, k)] * b[(k, j)]).sum());
        assert_close(&c, &naive, 1e-9);
        assert_eq!(a.matmul(&Matrix::identity(45)), a);
        let x: Vec<f64> = (0..45).map(|k| k as f64).collect();
        let as_col = Matrix::from_vec(45, 1, x.clone()).unwrap();
        assert_eq!(a.mul_vec(&x), a.matmul(&as_col).into_vec());
    }

    #[test]
    #[should_panic(expected = "matmul")]
    fn matmul_shape_mismatch_panics() {
        Matrix::zeros(2, 3).matmul(&Matrix::zeros(2, 3));
    }

    #[test]
    fn covariance_and_correlation_match_numpy() {
        let x = Matrix::from_rows(&X).unwrap();
        let cov = Matrix::from_rows(&[
            [3.5, 2.4000000000000004, 1.3],
            [2.4000000000000004, 3.066666666666667, -0.03333333333333331],
            [1.3, -0.03333333333333331, 1.1666666666666667],
        ])
        .unwrap();
        assert_close(&covariance(&x), &cov, 1e-14);
        let corr = Matrix::from_rows(&[
            [1.0, 0.7325612348008318, 0.6433331570970116],
            [0.7325612348008318, 1.0, -0.017622684421256023],
            [0.6433331570970116, -0.017622684421256023, 1.0],
        ])
        .unwrap();
        assert_close(&correlation(&x), &corr, 1e-14);
    }

    #[test]
    fn cholesky_matches_numpy_and_reconstructs() {
        let cov = covariance(&Matrix::from_rows(&X).unwrap());
        let l = cholesky(&cov).unwrap();
        let expected = Matrix::from_rows(&[
            [1.8708286933869707, 0.0, 0.0],
            [1.2828539611796372, 1.1920370719706586, 0.0],
            [0.6948792289723035, -0.7757828397342559, 0.28630492378472566],
        ])
        .unwrap();
        assert_close(&l, &expected, 1e-14);
        assert_close(&l.matmul(&l.transpose()), &cov, 1e-14);
    }

    #[test]
    fn cholesky_errors() {
        use LinalgError::*;
        assert_eq!(
            cholesky(&Matrix::zeros(2, 3)),
            Err(NotSquare { rows: 2, cols: 3 })
        );
        let asym = Matrix::from_rows(&[[2.0, 1.0], [0.0, 2.0]]).unwrap();
        assert_eq!(cholesky(&asym), Err(NotSymmetric { row: 1, col: 0 }));
        // Eigenvalues 3 and -1: symmetric but indefinite; fails at the second pivot.
        let indefinite = Matrix::from_rows(&[[1.0, 2.0], [2.0, 1.0]]).unwrap();
        assert_eq!(cholesky(&indefinite), Err(NotPositiveDefinite { pivot: 1 }));
        // Perfectly correlated assets: singular, so not positive definite either.
        let singular = Matrix::from_rows(&[[1.0, 1.0], [1.0, 1.0]]).unwrap();
        assert_eq!(cholesky(&singular), Err(NotPositiveDefinite { pivot: 1 }));
        assert_eq!(
            NotPositiveDefinite { pivot: 1 }.to_string(),
            "matrix is not positive definite (pivot 1)"
        );
    }
}
