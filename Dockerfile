# syntax=docker/dockerfile:1
# Reelay built from this checkout; `docker compose --profile app up --build` runs it next to PostgreSQL.
# Pinned base images: change the tags on purpose, never by accident.

FROM eclipse-temurin:17.0.16_8-jdk-noble AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY frontend/ frontend/
COPY backend/ backend/
# The cache mount keeps downloaded dependencies between builds.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package \
    && cp backend/target/reelay-backend-*.jar /reelay.jar

FROM eclipse-temurin:17.0.16_8-jre-noble
RUN groupadd --system reelay \
    && useradd --system --gid reelay --home-dir /app --no-create-home reelay \
    && mkdir -p /app /data \
    && chown reelay:reelay /data
COPY --from=build /reelay.jar /app/reelay.jar
USER reelay
WORKDIR /app
# Videos (and, without SPRING_R2DBC_URL, the embedded PostgreSQL) live on the /data volume.
ENV REELAY_STORAGE_DIRECTORY=/data/videos \
    REELAY_DATABASE_EMBEDDED_DATA_DIR=/data/postgres
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/reelay.jar"]
