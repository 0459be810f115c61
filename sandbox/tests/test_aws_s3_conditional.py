"""S3 conditional writes (`If-None-Match: *`, `If-Match`), the building block of the prod lease."""

import threading
import uuid

import pytest
from botocore.exceptions import ClientError

RACERS = 6
RACES = 8
RACE_BODY = b"l" * (2 * 1024 * 1024)  # big enough that hashing it leaves room for a race


def error_of(excinfo) -> tuple[int, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


@pytest.fixture
def bucket(sandbox):
    return sandbox.info["s3_bucket"]


@pytest.fixture
def raw_s3(sandbox):
    return sandbox.client("s3", retries=False)


def new_key() -> str:
    return f"lease/{uuid.uuid4()}.json"


class TestPutIfNoneMatch:
    def test_creates_an_absent_key(self, raw_s3, bucket):
        key = new_key()
        raw_s3.put_object(Bucket=bucket, Key=key, Body=b"holder-a", IfNoneMatch="*")
        assert raw_s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"holder-a"

    def test_refuses_an_existing_key_and_keeps_it(self, raw_s3, bucket):
        key = new_key()
        raw_s3.put_object(Bucket=bucket, Key=key, Body=b"holder-a")
        with pytest.raises(ClientError) as excinfo:
            raw_s3.put_object(Bucket=bucket, Key=key, Body=b"holder-b", IfNoneMatch="*")
        assert error_of(excinfo) == (412, "PreconditionFailed")
        assert raw_s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"holder-a"

    def test_a_value_other_than_star_is_not_implemented(self, raw_s3, bucket):
        key = new_key()
        etag = raw_s3.put_object(Bucket=bucket, Key=key, Body=b"holder-a")["ETag"]
        with pytest.raises(ClientError) as excinfo:
            raw_s3.put_object(Bucket=bucket, Key=key, Body=b"holder-b", IfNoneMatch='"0123456789abcdef0123456789abcdef"')
        assert error_of(excinfo) == (501, "NotImplemented")
        assert excinfo.value.response["Error"]["Header"] == "If-None-Match"
        assert raw_s3.head_object(Bucket=bucket, Key=key)["ETag"] == etag

    def test_concurrent_creates_of_one_key_let_exactly_one_win(self, sandbox, bucket):
        for race in range(RACES):
            key = new_key()
            outcomes = race_puts(sandbox, bucket, key, IfNoneMatch="*")
            winners = [i for i, outcome in enumerate(outcomes) if outcome == 200]
            assert len(winners) == 1, f"race {race}: {outcomes}"
            assert outcomes.count((412, "PreconditionFailed")) == RACERS - 1, f"race {race}: {outcomes}"
            stored = sandbox.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
            assert stored == RACE_BODY + bytes([winners[0]])


def race_puts(sandbox, bucket: str, key: str, **condition) -> list[object]:
    """RACERS clients put `key` at once, each its own body; 200 or (status, code) per client."""
    clients = [sandbox.client("s3", retries=False) for _ in range(RACERS)]
    start = threading.Barrier(RACERS)
    outcomes: list[object] = [None] * RACERS

    def put(index: int) -> None:
        start.wait()
        try:
            clients[index].put_object(Bucket=bucket, Key=key, Body=RACE_BODY + bytes([index]), **condition)
            outcomes[index] = 200
        except ClientError as error:
            outcomes[index] = error_of_response(error)

    threads = [threading.Thread(target=put, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def error_of_response(error: ClientError) -> tuple[int, str]:
    return error.response["ResponseMetadata"]["HTTPStatusCode"], error.response["Error"]["Code"]


class TestPutIfMatch:
    def test_replaces_when_the_etag_matches(self, raw_s3, bucket):
        key = new_key()
        etag = raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v1")["ETag"]
        new_etag = raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v2", IfMatch=etag)["ETag"]
        assert new_etag != etag
        assert raw_s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"v2"

    def test_refuses_a_stale_etag(self, raw_s3, bucket):
        key = new_key()
        stale = raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v1")["ETag"]
        raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v2")
        with pytest.raises(ClientError) as excinfo:
            raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v3", IfMatch=stale)
        assert error_of(excinfo) == (412, "PreconditionFailed")
        assert raw_s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"v2"

    def test_an_absent_key_is_no_such_key(self, raw_s3, bucket):
        key = new_key()
        with pytest.raises(ClientError) as excinfo:
            raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v1", IfMatch='"0123456789abcdef0123456789abcdef"')
        assert error_of(excinfo) == (404, "NoSuchKey")
        with pytest.raises(ClientError):
            raw_s3.head_object(Bucket=bucket, Key=key)

    def test_concurrent_replaces_with_one_etag_let_exactly_one_win(self, sandbox, raw_s3, bucket):
        key = new_key()
        etag = raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v1")["ETag"]
        outcomes = race_puts(sandbox, bucket, key, IfMatch=etag)
        assert outcomes.count(200) == 1, outcomes
        assert outcomes.count((412, "PreconditionFailed")) == RACERS - 1


class TestDeleteIfMatch:
    def test_deletes_when_the_etag_matches(self, raw_s3, bucket):
        key = new_key()
        etag = raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v1")["ETag"]
        assert raw_s3.delete_object(Bucket=bucket, Key=key, IfMatch=etag)["ResponseMetadata"]["HTTPStatusCode"] == 204
        with pytest.raises(ClientError):
            raw_s3.head_object(Bucket=bucket, Key=key)

    def test_refuses_a_stale_etag_and_keeps_the_object(self, raw_s3, bucket):
        key = new_key()
        stale = raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v1")["ETag"]
        raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v2")
        with pytest.raises(ClientError) as excinfo:
            raw_s3.delete_object(Bucket=bucket, Key=key, IfMatch=stale)
        assert error_of(excinfo) == (412, "PreconditionFailed")
        assert raw_s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"v2"

    def test_star_deletes_an_existing_object(self, raw_s3, bucket):
        key = new_key()
        raw_s3.put_object(Bucket=bucket, Key=key, Body=b"v1")
        assert raw_s3.delete_object(Bucket=bucket, Key=key, IfMatch="*")["ResponseMetadata"]["HTTPStatusCode"] == 204

    @pytest.mark.parametrize("condition", ["*", '"0123456789abcdef0123456789abcdef"'])
    def test_an_absent_key_is_no_such_key(self, raw_s3, bucket, condition):
        with pytest.raises(ClientError) as excinfo:
            raw_s3.delete_object(Bucket=bucket, Key=new_key(), IfMatch=condition)
        assert error_of(excinfo) == (404, "NoSuchKey")

    def test_without_a_condition_deleting_an_absent_key_still_succeeds(self, raw_s3, bucket):
        assert raw_s3.delete_object(Bucket=bucket, Key=new_key())["ResponseMetadata"]["HTTPStatusCode"] == 204


class TestCheckAndWriteAreOneStep:
    """A second conditional put that arrives while the first sits between moto's check and its
    write must not pass the check: it waits, then finds the key. Driven in-process, so the
    second request can be started exactly inside that gap."""

    def test_a_put_arriving_between_check_and_write_finds_the_key(self, monkeypatch):
        import boto3
        import launcher
        import moto.s3.responses as moto_s3
        from aws import build_aws_app, s3_conditional

        app = build_aws_app()
        server = launcher.make_server("127.0.0.1", 0, app)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        resources = launcher.DeploymentResources(app.region)
        app.load(resources.create)
        try:
            def client():
                return boto3.client("s3", region_name=app.region, endpoint_url=f"http://127.0.0.1:{server.server_port}",
                                    aws_access_key_id=app.credentials.access_key_id,
                                    aws_secret_access_key=app.credentials.own.secret_access_key)

            key = new_key()
            second_is_waiting_or_done = threading.Event()
            outcomes: dict[str, object] = {}

            class WatchedLock:
                """The object-writes lock, telling the test when a request starts to wait for it."""

                def __init__(self, lock):
                    self.lock = lock

                def __enter__(self):
                    if first_request_thread:  # the first put holds the lock: this is the second
                        second_is_waiting_or_done.set()
                    return self.lock.__enter__()

                def __exit__(self, *exc):
                    return self.lock.__exit__(*exc)

            first_request_thread: list[str] = []
            monkeypatch.setattr(s3_conditional, "OBJECT_WRITES", WatchedLock(s3_conditional.OBJECT_WRITES))
            moto_get_checksum = moto_s3.S3Response._get_checksum

            def in_the_gap(response, *args, **kwargs):
                if not first_request_thread:  # the first put passed its check: send the second now
                    first_request_thread.append(threading.current_thread().name)
                    second = threading.Thread(target=put, args=("second",))
                    second.start()
                    assert second_is_waiting_or_done.wait(30), "the second put neither waited nor finished"
                    outcomes["second_thread"] = second
                return moto_get_checksum(response, *args, **kwargs)

            def put(name: str) -> None:
                try:
                    client().put_object(Bucket=resources.bucket, Key=key, Body=name.encode(), IfNoneMatch="*")
                    outcomes[name] = 200
                except ClientError as error:
                    outcomes[name] = error_of_response(error)
                if name == "second":
                    second_is_waiting_or_done.set()

            monkeypatch.setattr(moto_s3.S3Response, "_get_checksum", in_the_gap)
            put("first")
            outcomes.pop("second_thread").join()
            assert outcomes == {"first": 200, "second": (412, "PreconditionFailed")}
            assert client().get_object(Bucket=resources.bucket, Key=key)["Body"].read() == b"first"
        finally:
            server.shutdown()
