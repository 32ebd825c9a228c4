# policy-kg: the CLI and the Streamlit explorer (python:3.11-slim, non-root).
# Used by docker-compose.yml (service "app"); on its own:
#   docker build -t policy-kg . && docker run -p 8501:8501 policy-kg
# (the default backend is the embedded LadybugDB store; build a graph first or set
#  POLICY_KG_BACKEND=neo4j and NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

# A non-root user that owns the code and var/ (the embedded store's default folder).
RUN useradd --create-home --uid 10001 --user-group app \
    && mkdir -p /app/var \
    && chown app:app /app /app/var
COPY --chown=app:app . .
USER app

EXPOSE 8501

# slim has no curl: ask Streamlit's health endpoint with Python.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)" || exit 1

CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true"]
