FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY lab lab
COPY experiments experiments
COPY storage storage
COPY ui ui
RUN pip install --no-cache-dir .
