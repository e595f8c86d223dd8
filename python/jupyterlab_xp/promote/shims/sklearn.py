"""scikit-learn's removed one-vs-rest LogisticRegression and its renamed arguments."""

from __future__ import annotations

import functools
from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, record


def _liblinear(module: Any) -> None:
    model = module.LogisticRegression
    fit, proba = model.fit, model.predict_proba

    def ovr_fit(self: Any, X: Any, y: Any, sample_weight: Any = None) -> Any:
        import numpy as np

        classes = np.unique(np.asarray(y))
        ovr = self.solver == "liblinear" or getattr(self, "_xp_ovr_requested", False)
        if not ovr or len(classes) <= 2:
            self._xp_ovr = False
            return fit(self, X, y, sample_weight)
        # scikit-learn 1.8 stopped fitting liblinear one-vs-rest: fit the binary problems as
        # it used to, one per class, and keep their coefficients in the same shape.
        from sklearn.base import clone  # type: ignore[import-untyped]

        record("sklearn-liblinear-multiclass", f"one-vs-rest over {len(classes)} classes")
        coefs, intercepts, iters = [], [], []
        target = np.asarray(y)
        for label in classes:
            binary = clone(self)
            fit(binary, X, (target == label).astype(int), sample_weight)
            coefs.append(binary.coef_[0])
            intercepts.append(binary.intercept_[0])
            iters.append(int(np.max(binary.n_iter_)))
            self.n_features_in_ = binary.n_features_in_
            if hasattr(binary, "feature_names_in_"):
                self.feature_names_in_ = binary.feature_names_in_
        self.classes_ = classes
        self.coef_, self.intercept_ = np.array(coefs), np.array(intercepts)
        self.n_iter_ = np.array([max(iters)])
        self._xp_ovr = True
        return self

    def ovr_proba(self: Any, X: Any) -> Any:
        if getattr(self, "_xp_ovr", False):
            return self._predict_proba_lr(X)  # one-vs-rest probabilities, normalised
        return proba(self, X)

    model.fit, model.predict_proba = ovr_fit, ovr_proba
    _renamed_argument(model, "multi_class", None, "scikit-learn 1.8 removed multi_class=")


def _renamed_argument(cls: Any, old: str, new: str | None, why: str) -> None:
    """Let ``cls(old=...)`` through as ``new=`` (None: dropped), recorded. The signature stays
    the original's (``functools.wraps``), which scikit-learn's get_params and clone read."""
    original = cls.__init__

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if old in kwargs:
            value = kwargs.pop(old)
            if new is None and old == "multi_class" and value == "ovr":
                record(_RENAMES[cls.__name__], f"{cls.__name__}({old}='ovr'): {why}, fitted so")
                self._xp_ovr_requested = True  # fit() fits one-vs-rest, as asked
            elif new is None:
                record(_RENAMES[cls.__name__], f"{cls.__name__}({old}={value!r}) dropped: {why}")
            else:
                record(_RENAMES[cls.__name__], f"{cls.__name__}({old}=) as {new}=: {why}")
                kwargs.setdefault(new, value)
        original(self, *args, **kwargs)

    cls.__init__ = __init__


_RENAMES = {
    "LogisticRegression": "sklearn-liblinear-multiclass",
    "AgglomerativeClustering": "sklearn-renamed-arguments",
    "BaggingClassifier": "sklearn-renamed-arguments",
    "BaggingRegressor": "sklearn-renamed-arguments",
    "AdaBoostClassifier": "sklearn-renamed-arguments",
    "AdaBoostRegressor": "sklearn-renamed-arguments",
    "OneHotEncoder": "sklearn-renamed-arguments",
}


def _ensembles(module: Any) -> None:
    for name in (
        "BaggingClassifier",
        "BaggingRegressor",
        "AdaBoostClassifier",
        "AdaBoostRegressor",
    ):
        _renamed_argument(
            getattr(module, name), "base_estimator", "estimator", "scikit-learn 1.4 renamed it"
        )


def _agglomerative(module: Any) -> None:
    _renamed_argument(
        module.AgglomerativeClustering, "affinity", "metric", "scikit-learn 1.4 renamed it"
    )


def _encoders(module: Any) -> None:
    _renamed_argument(
        module.OneHotEncoder, "sparse", "sparse_output", "scikit-learn 1.4 removed it (1.2 renamed)"
    )


def _feature_names(module: Any) -> None:
    base = module.BaseEstimator
    if hasattr(base, "get_feature_names"):
        return

    def get_feature_names(self: Any) -> Any:
        # scikit-learn 1.2 removed get_feature_names (deprecated in 1.0): the same names, as
        # the list it returned, from get_feature_names_out. A property, so that an estimator
        # without names has no such attribute (hasattr() says False, as it did).
        out = self.get_feature_names_out  # AttributeError: none here either

        def names(input_features: Any = None) -> list[str]:
            kind = type(self).__name__
            detail = f"{kind}.get_feature_names() as get_feature_names_out()"
            record("sklearn-get-feature-names", detail)
            return [str(n) for n in out(input_features)]

        return names

    base.get_feature_names = property(get_feature_names)


_SKLEARN_RENAMES = (
    "scikit-learn 1.4 renamed AgglomerativeClustering(affinity=) metric=, Bagging's and "
    "AdaBoost's base_estimator= estimator= and OneHotEncoder(sparse=) sparse_output="
)
SHIMS = (
    Shim(
        "sklearn-liblinear-multiclass",
        "scikit-learn 1.8 dropped one-vs-rest LogisticRegression (liblinear, multi_class='ovr')"
        " on 3+ classes: fitted one-vs-rest again",
        "sklearn.linear_model._logistic",
        _liblinear,
    ),
    Shim(
        "sklearn-renamed-arguments",
        _SKLEARN_RENAMES,
        "sklearn.cluster._agglomerative",
        _agglomerative,
    ),
    Shim(
        "sklearn-renamed-arguments",
        _SKLEARN_RENAMES,
        "sklearn.ensemble",
        _ensembles,
    ),
    Shim(
        "sklearn-renamed-arguments",
        _SKLEARN_RENAMES,
        "sklearn.preprocessing._encoders",
        _encoders,
    ),
    Shim(
        "sklearn-get-feature-names",
        "scikit-learn 1.2 removed get_feature_names(): the list get_feature_names_out() gives",
        "sklearn.base",
        _feature_names,
    ),
)
