"""The pandas + scikit-learn side of `npm run bench:scale`: the same work as the six-step pipeline on
the same Parquet file, written by hand (read, drop duplicates, stratified test then validation
splits, fit the reference inference pipeline, score the test split), each phase timed.

    python scale_sklearn.py --data FILE [--n-jobs 1]

Prints one JSON object as its last line. The reference's features (as ../shared/bench/sklearn_reference.py).
"""
import argparse, json, time

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder, StandardScaler

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--n-jobs", type=int, default=1)
a = p.parse_args()

timings = {}
t = time.perf_counter()


def lap(name):
    global t
    now = time.perf_counter()
    timings[name] = round(now - t, 3)
    t = now


df = pd.read_parquet(a.data)
lap("read_s")
df = df.drop_duplicates().reset_index(drop=True)
lap("drop_duplicates_s")
trainval, test = train_test_split(df, test_size=0.3, stratify=df["genre"], random_state=42)
X = trainval.copy(); y = X.pop("genre")
X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.3, stratify=y, random_state=42)
lap("split_s")


def text_feature(X):
    return (X["title"].fillna("") + " " + X["song_name"].fillna("")).to_numpy()


num = sorted(["danceability", "energy", "loudness", "speechiness", "acousticness",
              "instrumentalness", "liveness", "valence", "tempo", "duration_ms"])
cat = sorted(["time_signature", "key"])
proc = ColumnTransformer([
    ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), num),
    ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OrdinalEncoder()), cat),
    ("nlp", make_pipeline(FunctionTransformer(text_feature), TfidfVectorizer(binary=True, max_features=10)),
     ["title", "song_name"])], remainder="drop")
rf = RandomForestClassifier(n_estimators=100, criterion="gini", max_depth=13, max_features="sqrt",
                            bootstrap=True, class_weight="balanced", n_jobs=a.n_jobs, random_state=42)
pipe = Pipeline([("processor", proc), ("classifier", rf)])
pipe.fit(X_tr, y_tr)
lap("fit_s")
Xt = test.copy(); yt = Xt.pop("genre")
pt = pipe.predict_proba(Xt)
auc = roc_auc_score(yt, pt, average="macro", multi_class="ovo")
lap("score_s")
print(json.dumps(dict(sklearn=sklearn.__version__, pandas=pd.__version__, rows=len(df), train_rows=len(X_tr),
                      test_rows=len(test), test_auc_ovo=round(auc, 4), **timings)))
