# The room in a container: Node 20 with ffmpeg; the database is the compose file's postgres service.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx vite build
ENV NODE_ENV=production PORT=8080 RTMP_PORT=1935 FLV_PORT=8000 DATA_DIR=/data MEDIA_DIR=/data/media SERVE_CLIENT=true
EXPOSE 8080 1935 8000-8007
USER node
CMD ["npx", "tsx", "server/main.ts"]
