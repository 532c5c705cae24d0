# One image for `fastflow operator` and `fastflow worker`. Node 24 runs the
# TypeScript sources directly (type stripping), so there is no build step;
# only production dependencies are installed.
#   docker build -t fastflow:dev .
#   docker run --rm fastflow:dev operator --help
# Without Docker, hack/image.sh builds the same image from this file (it reads
# the deps stage's RUN and the final stage's COPY, ENV, WORKDIR, USER and
# ENTRYPOINT lines: keep them one instruction per line).
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY operator ./operator
COPY actions-runtime ./actions-runtime
# The image's own `node` user (uid 1000); nothing is written to the filesystem,
# so it runs with a read-only root filesystem.
USER 1000:1000
ENTRYPOINT ["node", "operator/cli/main.ts"]
