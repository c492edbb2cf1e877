"""The scikit-learn side of `npm run bench:tables`: the pipeline a user would write by hand.

Numeric columns: median imputation + standard scaling; every other column: most-frequent imputation +
ordinal codes (unknown categories -> -1); a RandomForestClassifier with the forest settings the
pipeline's run used. It fits on the rows our forest fitted on (data_train less the validation rows,
given as indices) and scores data_test: ROC-AUC ovo macro for multiclass targets, plain binary ROC-AUC
(second class in sorted order positive) for binary ones, as src/activities/model-metrics.ts does.

  /usr/bin/python3 bench/tables_sklearn.py --train data_train.csv --test data_test.csv \
      --fit-rows rows.json --target COL --forest '{"n_estimators": 100, ...}'

Prints one JSON object.
"""

import argparse
import json
import time

import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OrdinalEncoder, StandardScaler

# RandomForestClassifier's own parameter names; the pipeline's config uses the same ones.
FOREST_KEYS = {
    "n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
    "min_weight_fraction_leaf", "max_features", "max_leaf_nodes", "min_impurity_decrease",
    "bootstrap", "oob_score", "n_jobs", "random_state", "verbose", "warm_start", "class_weight",
    "ccp_alpha", "max_samples",
}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--fit-rows", required=True, help="JSON list of data_train row indices to fit on")
    p.add_argument("--target", required=True)
    p.add_argument("--forest", required=True, help="JSON object of RandomForestClassifier settings")
    a = p.parse_args()

    train = pd.read_csv(a.train)
    test = pd.read_csv(a.test)
    with open(a.fit_rows) as f:
        fit = train.iloc[json.load(f)]
    forest = {k: v for k, v in json.loads(a.forest).items() if k in FOREST_KEYS}

    features = [c for c in train.columns if c != a.target]
    numeric = [c for c in features if c in train.select_dtypes(include="number").columns]
    other = [c for c in features if c not in numeric]
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                ),
                other,
            ),
        ]
    )
    model = Pipeline([("pre", pre), ("forest", RandomForestClassifier(**forest))])

    t0 = time.perf_counter()
    model.fit(fit[features], fit[a.target])
    fit_s = time.perf_counter() - t0
    proba = model.predict_proba(test[features])
    classes = model.classes_
    y = test[a.target]
    if len(classes) == 2:
        auc = roc_auc_score(y, proba[:, 1])
    else:
        auc = roc_auc_score(y, proba, multi_class="ovo", average="macro", labels=classes)
    print(
        json.dumps(
            {
                "test_auc": auc,
                "fit_s": fit_s,
                "fit_rows": len(fit),
                "test_rows": len(test),
                "numeric": numeric,
                "categorical": other,
                "classes": [str(c) for c in classes],
                "forest": forest,
                "sklearn": sklearn.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
