//! The directory and the specialist advice rota, visible from every patient page.

use hearth_domain::on_call::OnCallShift;
use hearth_testkit::{Backend, Fixture, on_both_backends, spawn_app, start_time};
use jiff::SignedDuration;

async fn who_is_on_call_now_shows_on_the_directory_and_every_patient_page(backend: Backend) {
    let Some(t) = spawn_app(backend, "who_is_on_call_now").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let nurse = t
        .app
        .sign_in(&f.outsider.email, &f.outsider.password)
        .await
        .unwrap()
        .actor;
    let shift =
        |id: &str, who: &hearth_domain::PractitionerId, from_hours: i64, phone: &str| OnCallShift {
            id: id.into(),
            organisation_id: f.other_practice.id.clone(),
            practitioner_id: who.clone(),
            starts_at: start_time() + SignedDuration::from_hours(from_hours),
            ends_at: start_time() + SignedDuration::from_hours(from_hours + 8),
            phone: phone.into(),
            created_at: start_time(),
            updated_at: start_time(),
            version: 1,
        };
    let mut tx = t.app.store().begin_write().await.unwrap();
    tx.insert_on_call_shifts(&[
        shift("now", &nurse.practitioner_id, -2, "01632 960 777"),
        shift("next", &f.gp_actor.practitioner_id, 6, "01632 960 888"),
        shift("over", &f.gp_actor.practitioner_id, -20, "01632 960 999"),
    ])
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let client = t.client();
    client.sign_in(&f.gp.email, &f.gp.password).await;
    let (status, page) = client.get_text("/directory").await;
    assert_eq!(status, 200);
    let now = page.find("On call now").expect("someone is on call now");
    let next = page.find("Next").expect("the next shift is shown");
    assert!(now < next);
    assert!(page[now..next].contains("Test district-nurse") && page.contains("tel:01632960777"));
    assert!(
        !page.contains("01632 960 999"),
        "finished shifts are not shown"
    );
    assert!(page.contains("Riverside Medical Practice") && page.contains("Test gp"));

    let (_, found) = client.get_text("/directory?q=market").await;
    assert!(
        found.contains("Market Street Surgery")
            && !found.contains("org-list__name\">Riverside Medical Practice")
    );

    let (_, patient) = client
        .get_text(&format!("/patients/{}", f.patient.id))
        .await;
    assert!(patient.contains("Specialist advice now"));
    assert!(
        patient.contains("<strong>Test district-nurse</strong>")
            && patient.contains("tel:01632960777")
    );

    t.clock.advance(SignedDuration::from_hours(7));
    let client = t.client();
    client.sign_in(&f.gp.email, &f.gp.password).await;
    let (_, patient) = client
        .get_text(&format!("/patients/{}", f.patient.id))
        .await;
    assert!(
        patient.contains("tel:01632960888"),
        "the next shift takes over when its time comes"
    );
}

on_both_backends!(who_is_on_call_now_shows_on_the_directory_and_every_patient_page);
