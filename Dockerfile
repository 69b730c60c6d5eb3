# One image for every Yhdessä service; SERVICE picks which one a container runs.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY shared/ shared/
COPY services/ services/
RUN useradd --system --home /app yhdessa && mkdir -p /app/var && chown yhdessa /app/var
USER yhdessa
ENV SERVICE=gateway
CMD ["sh", "-c", "exec python -m services.run \"$SERVICE\""]
