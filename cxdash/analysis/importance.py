"""Relative-importance methods for key-driver analysis, computed from correlation matrices.

Every regression-based method here works on the correlation matrix of the drivers (``rxx``, shape ``(..., p, p)``)
and their correlations with the outcome (``rxy``, shape ``(..., p)``): the matrix is computed once from the data, and
the subset work is independent of the number of rows. Leading batch dimensions are allowed so that the bootstrap can
evaluate many resamples in one call. Data-level wrappers (``pearson``, ``spearman``, ``standardized_betas``,
``relative_weights``, ``lmg``) take a matrix of drivers and an outcome and return an :class:`Importance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import factorial

import numpy as np
import pandas as pd

from cxdash.errors import InputRefused

EXACT_LMG_MAX_DRIVERS = 20  # 2^20 subsets is ~1M R² values: still exact, 0.4 s and about 80 MB for one matrix
_PIVOT_EPS = 1e-10  # a driver whose residual variance (given the others in the subset) falls below this adds nothing


@dataclass(frozen=True)
class Importance:
    """Importance of each driver under one method, with the model R² (None for correlations) and the n behind it."""

    method: str
    names: tuple[str, ...]
    values: np.ndarray
    r2: float | None
    n: np.ndarray  # rows behind each driver's value (pairwise n for correlations, complete cases otherwise)

    @property
    def share(self) -> np.ndarray:
        """Each value as a fraction of the total (of absolute values, so signed methods stay meaningful)."""
        return shares(self.values)

    def as_series(self) -> pd.Series:
        """Values indexed by driver name, for tables and tests."""
        return pd.Series(self.values, index=list(self.names), name=self.method)


def shares(values: np.ndarray) -> np.ndarray:
    """Values over the sum of their absolute values along the last axis (NaN where the total is 0)."""
    total = np.nansum(np.abs(values), axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, values / np.where(total > 0, total, 1.0), np.nan)


# --- correlation-level methods (batched) ---------------------------------------------------------------------------


def betas_from_corr(rxx: np.ndarray, rxy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardised regression coefficients and R² from correlations (pseudo-inverse if the drivers are collinear)."""
    try:
        beta = np.linalg.solve(rxx, rxy[..., None])[..., 0]
    except np.linalg.LinAlgError:
        beta = (np.linalg.pinv(rxx) @ rxy[..., None])[..., 0]
    return beta, np.sum(beta * rxy, axis=-1)


def relative_weights_from_corr(rxx: np.ndarray, rxy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Johnson's (2000) relative weights and R²: drivers are replaced by their closest orthogonal counterparts Z.

    With ``rxx = V diag(d) V'``, ``Λ = V diag(√d) V'`` relates X to Z, ``β = Λ⁻¹ rxy`` regresses y on Z, and the
    raw weight of driver j is ``Σ_k Λ_jk² β_k²``; the weights sum to R².
    """
    d, v = np.linalg.eigh(rxx)
    d = np.clip(d, 0.0, None)
    sqrt_d = np.sqrt(d)
    lam = (v * sqrt_d[..., None, :]) @ np.swapaxes(v, -1, -2)
    inv_sqrt = np.where(sqrt_d > np.sqrt(_PIVOT_EPS), 1.0 / np.where(sqrt_d > 0, sqrt_d, 1.0), 0.0)
    lam_inv = (v * inv_sqrt[..., None, :]) @ np.swapaxes(v, -1, -2)
    beta = (lam_inv @ rxy[..., None])[..., 0]
    weights = (lam**2) @ (beta**2)[..., None]
    return weights[..., 0], np.sum(beta**2, axis=-1)


def _augmented(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """The (p+1)×(p+1) correlation matrix of drivers and outcome, outcome last."""
    p = rxx.shape[-1]
    a = np.empty(rxx.shape[:-2] + (p + 1, p + 1))
    a[..., :p, :p] = rxx
    a[..., :p, p] = rxy
    a[..., p, :p] = rxy
    a[..., p, p] = 1.0
    return a


def subset_r2(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """R² of every subset of drivers, indexed by bitmask (bit j set = driver j in the model); shape ``(..., 2^p)``.

    Goodnight's sweep operator, along a tree: a child subset adds one driver above its parent's largest, and its
    matrix is its parent's swept on that driver (after sweeping the drivers of S, the outcome's diagonal entry is
    1 − R²(S)). Later sweeps of a subset's descendants only pivot on drivers above its largest, so a subset keeps
    only the block of the drivers above its largest and the outcome: (p − k)² numbers for a subset whose largest is
    driver k, about 6 · 2^p in all instead of (p + 1)² · 2^p. All subsets adding driver k are swept at once.
    A pivot with (near-)zero residual variance is a driver fully explained by S: it is left unswept, so it adds no
    R².
    """
    p = rxx.shape[-1]
    if p > EXACT_LMG_MAX_DRIVERS:
        raise InputRefused(f"Exact Shapley/LMG is limited to {EXACT_LMG_MAX_DRIVERS} drivers; {p} were given.")
    batch = rxx.shape[:-2]
    nb = int(np.prod(batch)) if batch else 1
    r2 = np.zeros((nb, 1 << p))
    # blocks[t + 1]: the subsets whose largest driver is t (t = -1: the empty subset), in bitmask order, each as its
    # swept matrix over drivers t + 1 … p − 1 and the outcome
    blocks = [_augmented(rxx, rxy).reshape(nb, 1, p + 1, p + 1)]
    for k in range(p):
        # every subset of drivers below k (bitmasks 0 … 2^k − 1, in order), over drivers k … p − 1 and the outcome
        a = np.concatenate([b[:, :, k - t - 1 :, k - t - 1 :] for t, b in enumerate(blocks, start=-1)], axis=1)
        col = a[:, :, 1:, 0]
        piv = a[:, :, 0, 0]
        ok = piv > _PIVOT_EPS
        inv = np.where(ok, 1.0 / np.where(ok, piv, 1.0), 0.0)
        child = a[:, :, 1:, 1:] - (col[:, :, :, None] * col[:, :, None, :]) * inv[:, :, None, None]
        blocks.append(child)  # bitmasks 2^k … 2^(k+1) − 1: each subset below k with driver k added
        r2[:, 1 << k : 1 << (k + 1)] = 1.0 - child[:, :, -1, -1]
    return r2.reshape(batch + (1 << p,))


def _popcount(masks: np.ndarray) -> np.ndarray:
    """Number of set bits per mask."""
    count = np.zeros_like(masks)
    m = masks.copy()
    while np.any(m):
        count += m & 1
        m >>= 1
    return count


def lmg_from_r2(r2: np.ndarray) -> np.ndarray:
    """Shapley values of R² (LMG, general dominance) from the R² of every subset, exactly.

    Driver j's value is ``Σ_{S ∌ j} |S|!(p−|S|−1)!/p! · (R²(S∪j) − R²(S))``; the values sum to R² of the full model.
    """
    p = int(np.log2(r2.shape[-1]))
    masks = np.arange(1 << p, dtype=np.int64)
    sizes = _popcount(masks)
    weight_by_size = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)])
    out = np.empty(r2.shape[:-1] + (p,))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        gain = r2[..., without | (1 << j)] - r2[..., without]
        out[..., j] = gain @ weight_by_size[sizes[without]]
    return out


def lmg_from_corr(rxx: np.ndarray, rxy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact Shapley decomposition of R² (LMG) and the full-model R², from correlations."""
    r2 = subset_r2(rxx, rxy)
    return lmg_from_r2(r2), r2[..., -1]


def lmg_cells(p: int) -> int:
    """Numbers :func:`subset_r2` holds at most for one correlation matrix of ``p`` drivers (for memory planning):
    every subset's block, the largest gathering of parents' blocks, and the R² values."""
    gathered = max(((1 << k) * (p - k + 1) ** 2 for k in range(p)), default=0)
    return sum((1 << k) * (p - k) ** 2 for k in range(p)) + gathered + (1 << p)


# --- data-level wrappers ------------------------------------------------------------------------------------------


def _as_matrix(x: np.ndarray | pd.DataFrame, names: Sequence[str] | None) -> tuple[np.ndarray, tuple[str, ...]]:
    """A float matrix and driver names from a DataFrame or an array."""
    if isinstance(x, pd.DataFrame):
        return x.to_numpy(dtype=float, na_value=np.nan), tuple(str(c) for c in x.columns)
    arr = np.asarray(x, dtype=float)
    return arr, tuple(names) if names is not None else tuple(f"x{j + 1}" for j in range(arr.shape[1]))


def correlations(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Correlation matrix of complete-case drivers and their correlations with the outcome."""
    c = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    return c[:-1, :-1], c[:-1, -1]


def _complete(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows with the outcome and every driver answered."""
    ok = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    if ok.sum() < x.shape[1] + 2:
        raise InputRefused(
            f"Only {int(ok.sum())} responses answer the outcome and all {x.shape[1]} drivers: "
            "too few to fit a model. Use fewer drivers or mean imputation."
        )
    return x[ok], y[ok]


def _regression(
    method: str, x: np.ndarray | pd.DataFrame, y: np.ndarray | pd.Series, names: Sequence[str] | None
) -> Importance:
    """Run one correlation-level method on complete cases."""
    arr, labels = _as_matrix(x, names)
    xc, yc = _complete(arr, np.asarray(y, dtype=float))
    flat = [labels[j] for j in range(xc.shape[1]) if np.ptp(xc[:, j]) == 0]
    if flat or np.ptp(yc) == 0:
        what = f"drivers {', '.join(flat)}" if flat else "the outcome"
        raise InputRefused(
            f"Among the complete responses, {what} never vary, so importance is undefined. "
            "Leave them out or use a correlation method."
        )
    rxx, rxy = correlations(xc, yc)
    fn = {"beta": betas_from_corr, "rw": relative_weights_from_corr, "lmg": lmg_from_corr}[method]
    values, r2 = fn(rxx, rxy)
    return Importance(method, labels, values, float(r2), np.full(len(labels), len(yc)))


def standardized_betas(
    x: np.ndarray | pd.DataFrame, y: np.ndarray | pd.Series, names: Sequence[str] | None = None
) -> Importance:
    """Standardised regression coefficients (beta) on complete cases; unstable when drivers are collinear."""
    return _regression("beta", x, y, names)


def relative_weights(
    x: np.ndarray | pd.DataFrame, y: np.ndarray | pd.Series, names: Sequence[str] | None = None
) -> Importance:
    """Johnson's relative weights on complete cases: raw weights sum to R² (rescale with ``.share``)."""
    return _regression("rw", x, y, names)


def lmg(x: np.ndarray | pd.DataFrame, y: np.ndarray | pd.Series, names: Sequence[str] | None = None) -> Importance:
    """Exact Shapley/LMG decomposition of R² on complete cases (general dominance); sums to R²."""
    return _regression("lmg", x, y, names)


def _pairwise(
    method: str, x: np.ndarray | pd.DataFrame, y: np.ndarray | pd.Series, names: Sequence[str] | None
) -> Importance:
    """Correlation of each driver with the outcome over the rows answering both (pairwise complete)."""
    arr, labels = _as_matrix(x, names)
    yv = np.asarray(y, dtype=float)
    values = np.full(arr.shape[1], np.nan)
    ns = np.zeros(arr.shape[1], dtype=np.int64)
    for j in range(arr.shape[1]):
        ok = ~np.isnan(arr[:, j]) & ~np.isnan(yv)
        ns[j] = int(ok.sum())
        a, b = arr[ok, j], yv[ok]
        if method == "spearman":
            a, b = pd.Series(a).rank().to_numpy(), pd.Series(b).rank().to_numpy()
        if ns[j] > 2 and a.std() > 0 and b.std() > 0:
            values[j] = float(np.corrcoef(a, b)[0, 1])
    return Importance(method, labels, values, None, ns)


def pearson(x: np.ndarray | pd.DataFrame, y: np.ndarray | pd.Series, names: Sequence[str] | None = None) -> Importance:
    """Pearson correlation of each driver with the outcome, pairwise complete (n per driver)."""
    return _pairwise("pearson", x, y, names)


def spearman(x: np.ndarray | pd.DataFrame, y: np.ndarray | pd.Series, names: Sequence[str] | None = None) -> Importance:
    """Spearman rank correlation (mid-ranks for ties) of each driver with the outcome, pairwise complete."""
    return _pairwise("spearman", x, y, names)


METHODS = {"pearson": pearson, "spearman": spearman, "beta": standardized_betas, "rw": relative_weights, "lmg": lmg}
