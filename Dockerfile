# Production image of the Jingjinji Industrial Cloud Portal: one image for web, worker, beat and the
# one-shot `setup` service (see docker-compose.yml). Configuration comes from the environment.
FROM python:3.11-slim-bookworm

# PYTHONPATH: the project in /app comes before its installed copy, so every process (gunicorn,
# celery, manage.py) runs the same code with BASE_DIR=/app (locale/, var/static, var/media).
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    PYTHONPATH=/app

WORKDIR /app

# Dependencies first, from pyproject.toml + constraints.txt only: this layer is rebuilt only when
# they change, not on every code change.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the project itself (.dockerignore keeps .venv/, var/ and .git/ out of the image).
COPY . .
RUN pip install --no-cache-dir -c constraints.txt . \
    && rm -rf build ./*.egg-info

# A non-root user; var/ (static files, media uploads) is the only place it may write.
RUN useradd --system --user-group --create-home --shell /usr/sbin/nologin portal \
    && mkdir -p /app/var/static /app/var/media \
    && chown -R portal:portal /app/var
USER portal

# Static files are collected into the image (WhiteNoise serves them). Settings only read the data-store
# URLs; collectstatic connects to neither, so dummies suffice.
RUN DATABASE_URL=postgresql://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput

EXPOSE 8000

CMD ["gunicorn", "-c", "portal/gunicorn_conf.py", "portal.wsgi:application", "--bind", "0.0.0.0:8000"]
