# Build: compile and bundle with the dev dependencies; the bundle needs no node_modules at run time.
FROM fnproject/node:22-dev AS build
WORKDIR /function
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY scripts ./scripts
COPY types ./types
COPY src ./src
COPY workflows ./workflows
COPY telemetry ./telemetry
RUN npm run build

# Run: OCI Functions runs the container as user fn (uid 1000); so does this image, wherever it runs.
FROM fnproject/node:22 AS runtime
WORKDIR /function
COPY --from=build /function/dist ./dist
COPY package.json ./
RUN chmod -R o+r /function
USER 1000:1000

# The API Gateway authorizer, same code and dependencies: `docker build --target authorizer`.
FROM runtime AS authorizer
ENTRYPOINT ["node", "dist/authorizer.js"]

# The function (the last stage: what `fn deploy` and a plain `docker build` produce). V8's heap is sized for
# func.yaml's `memory: 256` rather than from what the host shows (docs/performance.md, "Memory"): old space
# 128 MiB and young space 3 x 8 MiB leave ~100 MB for Node itself. Without them, V8 sizes the heap from the
# cgroup (about the whole 256 MB there, 4 GB on a 24 GB host) and lets garbage pile up near that limit.
# These options are the one place: `npm run bench` and the image tests start dist/func.js with them
# (bench/image-entry.ts reads this line).
FROM runtime AS function
ENTRYPOINT ["node", "--max-old-space-size=128", "--max-semi-space-size=8", "dist/func.js"]
