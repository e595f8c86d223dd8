# JupyterLab with jupyterlab-xp, installed from the pinned set (requirements.lock).
#   docker build -t jupyterlab-xp .
#   docker run --rm -p 8888:8888 -v xp-runs:/home/jovyan/.local/share/jupyter/xp jupyterlab-xp
# Runs recorded in the container live in the mounted volume (the embedded MLflow store); set
# MLFLOW_TRACKING_URI to use a team tracking server instead.

# --- build the wheel (it carries the prebuilt JupyterLab extension) -------------------------
FROM python:3.11.7-slim-bookworm AS build
# Node 20 for the extension build (Debian's is older); jlpm itself ships with JupyterLab.
COPY --from=node:20.20.2-bookworm-slim /usr/local/bin/node /usr/local/bin/node
WORKDIR /src
COPY requirements.lock ./
# torch's CPU build comes from PyTorch's own index (PyPI's default torch wheel bundles CUDA).
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu \
      -r requirements.lock
COPY . .
RUN jlpm install --immutable && jlpm build:prod \
 && pip wheel --no-deps --no-build-isolation --wheel-dir /wheels .

# --- runtime -------------------------------------------------------------------------------
FROM python:3.11.7-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends git tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 jovyan
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu \
      -r /tmp/requirements.lock
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-deps /wheels/*.whl && rm -rf /wheels
USER jovyan
WORKDIR /home/jovyan/work
COPY --chown=jovyan:jovyan examples/ ./examples/
EXPOSE 8888
ENTRYPOINT ["tini", "--"]
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser"]
