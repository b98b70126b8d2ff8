//! The Kubernetes API through kube-rs (the client the EKS agent uses) and raw HTTP for the
//! wire details (Status objects, paging, Table, read-only).

use super::{http, start_fixture};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod};
use kube::api::{Api, ListParams, LogParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

async fn client(kubeconfig: &std::path::Path) -> kube::Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    kube::Client::try_from(cfg).unwrap()
}

fn names<K: kube::Resource>(items: &[K]) -> Vec<String> {
    items
        .iter()
        .map(|o| o.meta().name.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn kube_rs_lists_pods_by_label_selector() {
    let sb = start_fixture().await;
    let c = client(&sb.endpoints().kubeconfig).await;
    let pods: Api<Pod> = Api::namespaced(c.clone(), "shop");
    let check = |sel: &'static str, want: &'static [&'static str]| {
        let pods = pods.clone();
        async move {
            let got = pods.list(&ListParams::default().labels(sel)).await.unwrap();
            assert_eq!(names(&got.items), want, "selector {sel}");
        }
    };
    check(
        "app=checkout-api",
        &[
            "checkout-api-5d9c7b8f6-abcde",
            "checkout-api-5d9c7b8f6-fghij",
        ],
    )
    .await;
    check("app==cart", &["cart-7c6b5d4f3-zzzzz"]).await;
    check("app!=checkout-api", &["cart-7c6b5d4f3-zzzzz"]).await;
    check(
        "app in (cart, checkout-api),version",
        &["checkout-api-5d9c7b8f6-abcde"],
    )
    .await;
    check("app notin (checkout-api)", &["cart-7c6b5d4f3-zzzzz"]).await;
    check(
        "!version,tier=backend",
        &["cart-7c6b5d4f3-zzzzz", "checkout-api-5d9c7b8f6-fghij"],
    )
    .await;
    check("version=2", &["checkout-api-5d9c7b8f6-abcde"]).await; // unquoted YAML 2 served as "2"

    let all: Api<Pod> = Api::all(c.clone());
    let every = all.list(&ListParams::default()).await.unwrap();
    assert_eq!(every.items.len(), 4);
    assert!(every.metadata.resource_version.is_some());
    let pod = pods.get("checkout-api-5d9c7b8f6-abcde").await.unwrap();
    // Quantities written as YAML numbers are served as strings, so typed clients parse them.
    let limits = pod.spec.unwrap().containers[0]
        .resources
        .clone()
        .unwrap()
        .limits
        .unwrap();
    assert_eq!(limits["cpu"].0, "1");
    assert!(pod.metadata.uid.is_some() && pod.metadata.resource_version.is_some());
}

#[tokio::test]
async fn kube_rs_reads_events_by_field_selector() {
    let sb = start_fixture().await;
    let c = client(&sb.endpoints().kubeconfig).await;
    let events: Api<Event> = Api::namespaced(c.clone(), "shop");
    let check = |sel: &'static str, want: &'static [&'static str]| {
        let events = events.clone();
        async move {
            let got = events
                .list(&ListParams::default().fields(sel))
                .await
                .unwrap();
            let reasons: Vec<String> = got
                .items
                .iter()
                .map(|e| e.reason.clone().unwrap_or_default())
                .collect();
            assert_eq!(reasons, want, "selector {sel}");
        }
    };
    check(
        "involvedObject.name=checkout-api-5d9c7b8f6-abcde",
        &["BackOff"],
    )
    .await;
    check(
        "involvedObject.kind=Pod,type=Warning",
        &["Failed", "BackOff"],
    )
    .await;
    check("type!=Warning", &["ScalingReplicaSet"]).await;
    check("reason=Failed,involvedObject.namespace=shop", &["Failed"]).await;
    check("source=kubelet", &["BackOff"]).await;

    // The involved object's uid is filled in from the pod, as a real server's events carry it.
    let pods: Api<Pod> = Api::namespaced(c.clone(), "shop");
    let uid = pods
        .get("checkout-api-5d9c7b8f6-abcde")
        .await
        .unwrap()
        .metadata
        .uid
        .unwrap();
    let got = events
        .list(&ListParams::default().fields(&format!("involvedObject.uid={uid}")))
        .await
        .unwrap();
    assert_eq!(got.items.len(), 1);
    // An event without a name in the scenario gets one.
    let all = events.list(&ListParams::default()).await.unwrap();
    assert!(
        all.items
            .iter()
            .all(|e| e.metadata.name.as_deref().is_some_and(|n| !n.is_empty()))
    );

    let pods_running: Api<Pod> = Api::all(c.clone());
    let running = pods_running
        .list(
            &ListParams::default()
                .fields("status.phase=Running,spec.nodeName=ip-10-0-1-12.ec2.internal"),
        )
        .await
        .unwrap();
    assert_eq!(running.items.len(), 3);
    let nodes: Api<Node> = Api::all(c.clone());
    assert_eq!(
        nodes
            .list(&ListParams::default().fields("spec.unschedulable=false"))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let ns: Api<Namespace> = Api::all(c.clone());
    let ns_names = names(&ns.list(&ListParams::default()).await.unwrap().items);
    assert_eq!(
        ns_names,
        [
            "default",
            "kube-node-lease",
            "kube-public",
            "kube-system",
            "shop"
        ]
    );
    let deploys: Api<Deployment> = Api::all(c);
    assert_eq!(
        names(&deploys.list(&ListParams::default()).await.unwrap().items),
        ["checkout-api"]
    );
}

#[tokio::test]
async fn kube_rs_reads_previous_logs_with_tail_lines() {
    let sb = start_fixture().await;
    let c = client(&sb.endpoints().kubeconfig).await;
    let pods: Api<Pod> = Api::namespaced(c, "shop");
    let pod = "checkout-api-5d9c7b8f6-abcde";
    let check = |lp: LogParams, want: &'static str| {
        let pods = pods.clone();
        async move {
            let got = pods.logs(pod, &lp).await.unwrap();
            assert_eq!(got, want, "{lp:?}");
        }
    };
    let c = |name: &str| Some(name.to_string());
    check(
        LogParams {
            container: c("checkout-api"),
            previous: true,
            tail_lines: Some(2),
            ..Default::default()
        },
        "ERROR invalid config: PAYMENT_TIMEOUT must be > 0\nFATAL exiting with code 1\n",
    )
    .await;
    check(
        LogParams {
            container: c("checkout-api"),
            previous: true,
            tail_lines: Some(1),
            timestamps: true,
            ..Default::default()
        },
        "2026-04-18T10:21:07Z FATAL exiting with code 1\n",
    )
    .await;
    check(
        LogParams {
            container: c("checkout-api"),
            ..Default::default()
        },
        "starting checkout-api 2.4.1\n",
    )
    .await;
    // sinceSeconds counts back from the sandbox clock (the scenario's now): 10:24:50 is 10 s old.
    check(
        LogParams {
            container: c("checkout-api"),
            since_seconds: Some(30),
            ..Default::default()
        },
        "starting checkout-api 2.4.1\n",
    )
    .await;
    check(
        LogParams {
            container: c("checkout-api"),
            previous: true,
            since_seconds: Some(60),
            ..Default::default()
        },
        "",
    )
    .await;
    // A line without a prefix takes its neighbour's time; limitBytes cuts the body.
    check(
        LogParams {
            container: c("envoy"),
            timestamps: true,
            limit_bytes: Some(30),
            ..Default::default()
        },
        "2026-04-18T10:02:05Z envoy sta",
    )
    .await;

    let err = pods.logs(pod, &LogParams::default()).await.unwrap_err();
    let kube::Error::Api(s) = err else {
        panic!("want an API error, got {err:?}")
    };
    assert_eq!((s.code, s.reason.as_str()), (400, "BadRequest"));
    assert!(s.message.contains("a container name must be specified for pod checkout-api-5d9c7b8f6-abcde, choose one of: [checkout-api envoy]"), "{}", s.message);
    let err = pods
        .logs(
            pod,
            &LogParams {
                container: c("envoy"),
                previous: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("previous terminated container \"envoy\" in pod"),
        "{err}"
    );
}

/// GET `path` on the API server: (status, JSON body).
async fn get(base: &str, path: &str, accept: Option<&str>) -> (u16, Value) {
    let mut req = http().get(format!("{base}{path}"));
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn errors_are_status_objects() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().kubernetes;
    let check = |path: &'static str, code: u16, reason: &'static str, msg: &'static str| async move {
        let (status, body) = get(base, path, None).await;
        assert_eq!(status, code, "{path}: {body}");
        assert_eq!(body["kind"], "Status", "{path}");
        assert_eq!(body["status"], "Failure");
        assert_eq!(body["code"], code);
        assert_eq!(body["reason"], reason, "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(msg),
            "{path}: {body}"
        );
    };
    check(
        "/api/v1/namespaces/shop/pods/nope",
        404,
        "NotFound",
        "pods \"nope\" not found",
    )
    .await;
    check(
        "/apis/apps/v1/namespaces/shop/deployments/nope",
        404,
        "NotFound",
        "deployments.apps \"nope\" not found",
    )
    .await;
    check(
        "/api/v1/widgets",
        404,
        "NotFound",
        "could not find the requested resource",
    )
    .await;
    check(
        "/apis/example.com/v1/things",
        404,
        "NotFound",
        "could not find",
    )
    .await;
    check(
        "/api/v1/pods?fieldSelector=spec.foo%3Dbar",
        400,
        "BadRequest",
        "field label not supported: spec.foo",
    )
    .await;
    check(
        "/api/v1/pods?fieldSelector=nonsense",
        400,
        "BadRequest",
        "invalid selector",
    )
    .await;
    check(
        "/api/v1/pods?labelSelector=app%20in%20(a",
        400,
        "BadRequest",
        "unable to parse requirement",
    )
    .await;
    check(
        "/api/v1/pods?limit=1&continue=zz",
        400,
        "BadRequest",
        "continue key is not valid",
    )
    .await;
    check(
        "/api/v1/namespaces/shop/pods/nope/log",
        404,
        "NotFound",
        "pods \"nope\" not found",
    )
    .await;
    check(
        "/api/v1/namespaces/shop/pods/checkout-api-5d9c7b8f6-abcde/log?container=x",
        400,
        "BadRequest",
        "container x is not valid",
    )
    .await;
    check(
        "/api/v1/namespaces/shop/pods/checkout-api-5d9c7b8f6-abcde/log?container=envoy&tailLines=x",
        400,
        "BadRequest",
        "tailLines",
    )
    .await;

    // Read-only: every other verb is refused with a 405 Status.
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
        reqwest::Method::DELETE,
    ] {
        let r = http()
            .request(
                method.clone(),
                format!("{base}/api/v1/namespaces/shop/pods"),
            )
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 405, "{method}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["reason"], "MethodNotAllowed");
    }
}

#[tokio::test]
async fn lists_page_with_limit_and_continue_and_fill_metadata() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().kubernetes;
    let mut seen = Vec::new();
    let mut path = "/api/v1/pods?limit=3".to_string();
    loop {
        let (status, body) = get(base, &path, None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["kind"], "PodList");
        for i in body["items"].as_array().unwrap() {
            seen.push(i["metadata"]["name"].as_str().unwrap().to_string());
        }
        match body["metadata"]["continue"].as_str() {
            Some(c) => {
                assert_eq!(body["metadata"]["remainingItemCount"], 1);
                path = format!("/api/v1/pods?limit=3&continue={c}");
            }
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "coredns-6d4b75cb6d-q2w3e",
            "cart-7c6b5d4f3-zzzzz",
            "checkout-api-5d9c7b8f6-abcde",
            "checkout-api-5d9c7b8f6-fghij"
        ]
    );

    let (_, v) = get(base, "/version", None).await;
    assert_eq!(
        (
            v["gitVersion"].as_str(),
            v["major"].as_str(),
            v["minor"].as_str()
        ),
        (Some("v1.30.4"), Some("1"), Some("30"))
    );
    let (_, node) = get(base, "/api/v1/nodes/ip-10-0-1-12.ec2.internal", None).await;
    assert!(
        node["metadata"].get("namespace").is_none(),
        "cluster-scoped objects have no namespace"
    );
    let (_, ev) = get(base, "/api/v1/namespaces/shop/events", None).await;
    let unnamed = ev["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["reason"] == "Failed")
        .unwrap();
    assert_eq!(
        unnamed["metadata"]["creationTimestamp"],
        "2026-04-18T10:10:00Z"
    );
    let (_, res) = get(base, "/api/v1", None).await;
    let names: Vec<&str> = res["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for want in [
        "pods",
        "pods/log",
        "events",
        "nodes",
        "namespaces",
        "services",
        "endpoints",
        "configmaps",
        "secrets",
        "persistentvolumeclaims",
        "resourcequotas",
    ] {
        assert!(names.contains(&want), "{want} missing from /api/v1");
    }
    let (_, groups) = get(base, "/apis", None).await;
    let gs: Vec<&str> = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert!(
        gs.contains(&"apps") && gs.contains(&"batch") && !gs.contains(&"events.k8s.io"),
        "{gs:?}"
    );
}

#[tokio::test]
async fn tables_carry_kubectl_columns() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().kubernetes;
    let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    let (_, t) = get(base, "/api/v1/namespaces/shop/pods", Some(accept)).await;
    assert_eq!(t["kind"], "Table");
    let row = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0] == "checkout-api-5d9c7b8f6-abcde")
        .unwrap();
    // NAME READY STATUS RESTARTS AGE, at the scenario's clock (10:25:00 + a few ms).
    assert_eq!(row["cells"][1], "1/2");
    assert_eq!(row["cells"][2], "CrashLoopBackOff");
    assert_eq!(row["cells"][3], "5 (3m53s ago)");
    assert_eq!(row["cells"][4], "23m");
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
    let (_, t) = get(
        base,
        "/api/v1/namespaces/shop/events?includeObject=Object",
        Some(accept),
    )
    .await;
    let row = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][2] == "BackOff")
        .unwrap();
    assert_eq!(row["cells"][0], "60s (x14 over 20m)");
    assert_eq!(row["cells"][3], "pod/checkout-api-5d9c7b8f6-abcde");
    assert_eq!(row["object"]["kind"], "Event");
}
