# The EGL platform image: one image for web (gunicorn), worker and beat (Celery) and the
# migrate step; docker-compose.yml shows them together. Build: docker build -t egl .

# --- front-end assets: bundled with esbuild, nothing is loaded from a CDN ------------------------
FROM node:22-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend ./frontend
RUN npm run build

# --- the application ------------------------------------------------------------------------------
FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --system --create-home --home-dir /home/egl --uid 10001 egl

# Dependencies first, so code changes do not reinstall them. pyproject.toml lists no
# packages to install ([tool.setuptools] packages = []): this installs the dependencies only.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
COPY --from=assets /src/static/dist ./static/dist
# Compiled translations (polib, no gettext needed) and collected static files are build
# output. The secret below exists only during this build step; it is never stored.
RUN SECRET_KEY=image-build-only python manage.py compile_translations -v0 \
 && SECRET_KEY=image-build-only python manage.py collectstatic --noinput -v0 \
 && rm -f var/secret_key var/egl.sqlite3 \
 && mkdir -p var/media \
 && chown -R egl:egl var

USER egl
EXPOSE 8000
CMD ["gunicorn", "egl_platform.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
